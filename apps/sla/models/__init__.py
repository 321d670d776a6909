"""The SLA engine's models, one module per part, re-exported here for Django and for imports."""

from apps.sla.models.calendars import BusinessCalendar as BusinessCalendar
from apps.sla.models.calendars import Holiday as Holiday
from apps.sla.models.calendars import Weekday as Weekday
from apps.sla.models.calendars import WorkingHours as WorkingHours
from apps.sla.models.clocks import ClockState as ClockState
from apps.sla.models.clocks import SLAClock as SLAClock
from apps.sla.models.policies import ClockKind as ClockKind
from apps.sla.models.policies import EscalationPolicy as EscalationPolicy
from apps.sla.models.policies import EscalationStep as EscalationStep
from apps.sla.models.policies import SLAPolicy as SLAPolicy
