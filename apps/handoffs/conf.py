"""The handoff settings and their defaults (read at call time, never at import)."""

from django.conf import settings


def expiry_minutes() -> int:
    """Business minutes an unaccepted handoff waits before it expires, unless its policy says."""
    return int(getattr(settings, "SERVICEDESK_HANDOFF_EXPIRY_MINUTES", 8 * 60))


def bounce_limit() -> int:
    """A request transferred more often than this is flagged as bouncing."""
    return int(getattr(settings, "SERVICEDESK_HANDOFF_BOUNCE_LIMIT", 3))
