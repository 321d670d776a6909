"""The SLA engine's models, one module per part, re-exported here for Django and for imports."""

from apps.sla.models.calendars import BusinessCalendar as BusinessCalendar
from apps.sla.models.calendars import Holiday as Holiday
from apps.sla.models.calendars import Weekday as Weekday
from apps.sla.models.calendars import WorkingHours as WorkingHours
