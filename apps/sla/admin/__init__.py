"""Admin of the SLA engine, one module per part."""

from apps.sla.admin import calendars, clocks, policies

__all__ = ["calendars", "clocks", "policies"]
