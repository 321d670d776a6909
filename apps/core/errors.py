"""Domain errors: each carries a machine code and a human message; the API maps them to HTTP."""


class ServiceDeskError(Exception):
    """Base of every error a caller of a domain service is expected to handle."""

    code = "error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotAllowed(ServiceDeskError):
    """The action is not possible in the object's current state (HTTP 409)."""

    code = "not_allowed"


class Conflict(ServiceDeskError):
    """Someone else changed the object since the caller read it (HTTP 409)."""

    code = "conflict"


class Forbidden(ServiceDeskError):
    """The actor may not do this to this object (HTTP 403, or 404 where it may not see it)."""

    code = "forbidden"


class InvalidData(ServiceDeskError):
    """The data given with the action is wrong; details name each bad field (HTTP 400)."""

    code = "invalid"
