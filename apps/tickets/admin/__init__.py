"""Admin of the tickets app: requests (with transitions through the door), categories, messages."""

from apps.tickets.admin import category, language, message, service_request

__all__ = ["category", "language", "message", "service_request"]
