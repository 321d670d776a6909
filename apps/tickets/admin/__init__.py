"""Admin of the tickets app: requests (with transitions through the door), categories, messages."""

from apps.tickets.admin import (
    attachment,
    category,
    language,
    message,
    saved_views,
    service_request,
)

__all__ = ["attachment", "category", "language", "message", "saved_views", "service_request"]
