"""The calendars in force over the period a model simulates.

The model keeps office hours as open shares per UTC hour of the week, averaged over the period
it was fitted on; a calendar is set in local time. Across a change of daylight saving time the
same office opens an hour later or earlier in UTC: fitted on late summer and run over November,
the model's agents would start and stop an hour early (on the demo's log the requests queued
between 16:00 and 17:00 UTC, served within the hour in the log, waited for the next morning in
the model, and those queued at 07:00 were served an hour too soon). The calendars are the
desk's settings, not something the log teaches, so a run over a known period takes their
open shares over that period; what was read from the log (step times in office hours) keeps
the shares of the period it was read in. The customers' hours are read from the log, but in
their local day (customer_hours.py), and laid on the period's UTC hours the same way."""

from datetime import datetime

from apps.simulation.arrival_priority import arrival_priorities
from apps.simulation.calendar import department_hours, open_shares
from apps.simulation.customer_hours import read_customer_hours
from apps.simulation.discovery import clock_hours, desk_schedule
from apps.simulation.model import ProcessModel


def in_force(model: ProcessModel, fit: tuple[datetime, datetime], over: tuple[datetime, datetime]):
    """Set `model`'s office hours, departments' own hours and resolution clocks' hours to the
    open shares of the calendars chosen on the `fit` period, over the period `over`, and lay
    the customers' hours read on `fit` (in the desk's local day) on the UTC hours of `over`."""
    start, end = over
    schedule = desk_schedule(*fit)
    model.open_hours = open_shares(schedule, start, end)
    model.department_hours = department_hours(start, end)
    model.clock_hours = clock_hours(
        *fit, model.open_hours, arrival_priorities(*fit), over=(start, end)
    )
    if model.customer_hours:
        model.customer_hours = read_customer_hours(*fit, schedule.tz, over=(start, end))
