"""Admin of the SLA engine, one module per part."""

from apps.sla.admin import calendars

__all__ = ["calendars"]
