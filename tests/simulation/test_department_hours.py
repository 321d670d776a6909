"""Departments' own calendars: a department open only in the mornings works only then, its
agents' hours count only then, a handoff's OLA clock counts the target department's calendar
(around the clock without one, as the desk's), and discovery reads each calendar."""

from datetime import UTC, datetime, time, timedelta

import pytest

from apps.demo.history import generate_history
from apps.simulation.discovery import discover
from apps.simulation.engine import HOUR, simulate
from apps.simulation.kpis import replicate
from apps.simulation.model import HOURS_PER_WEEK
from apps.simulation.scenarios import agent_hours
from apps.simulation.side_steps import SideStep
from apps.sla.models import BusinessCalendar, WorkingHours
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, DepartmentFactory
from tests.support.simulation import fixed, queue_model

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
DAY = 24 * HOUR
# Open 08:00-12:00 every day of the week.
MORNINGS = [1.0 if 8 <= hour % 24 < 12 else 0.0 for hour in range(HOURS_PER_WEEK)]


def two_departments():
    """Category c to department d, category f to e; 0.5 requests an hour each, an hour's work,
    two agents each; the desk always open."""
    model = queue_model(per_hour=0.5, agents=2, service=fixed(HOUR))
    model.arrivals["f"] = list(model.arrivals["c"])
    model.priorities["f"] = {"3": 1.0}
    model.routes = {"c|": {"d": 1.0}, "f|": {"e": 1.0}, "|": {"d": 1.0}}
    model.capacity["e"] = 2
    return model


def test_a_department_open_only_mornings_gets_its_work_done_only_in_mornings():
    model = two_departments()
    model.department_hours = {"d": MORNINGS}
    run = simulate(model, hours=24 * 14, seed=1, drain_hours=24 * 7)
    mornings = [o.resolved % DAY / HOUR for o in run.outcomes if o.department == "d"]
    assert len(mornings) > 100
    assert all(8 <= hour <= 12 for hour in mornings)
    anytime = [o.resolved % DAY / HOUR for o in run.outcomes if o.department == "e"]
    assert any(hour < 8 or hour > 12 for hour in anytime)
    # Its agents' time: 2 agents x 4 hours a day, beside e's 2 x 24.
    assert agent_hours(model, 7) == pytest.approx(2 * 4 * 7 + 2 * 24 * 7)
    # The desk's hours for a department without its own.
    assert model.hours_of("e") == [] and model.hours_of("d") == MORNINGS


def test_an_ola_counts_the_target_departments_calendar():
    """Every request is handed to e on arrival (uniform over the day) and waits exactly 2 h
    for the acceptance, the OLA target 1 h. Around the clock (e without a calendar) none is
    met; in e's mornings (08-12), the 2 h hold more than 1 open hour only when they begin
    between 07:00 and 11:00: 20 of 24 hours are met, 0.833."""
    model = two_departments()
    step = SideStep(
        key="consult|d>e",
        state="handoff",
        after="new",
        share=1.0,
        wait=fixed(2 * HOUR),
        department="e",
        kind="consult",
        targets={"acceptance": HOUR},
    )
    model.side_steps = [step.to_dict()]
    key = "ola_acceptance|consult|d>e"
    around = replicate(model, days=20, replications=10, seed=1)[key]
    assert around.mean == 0.0
    model.department_hours = {"e": MORNINGS}
    mornings = replicate(model, days=20, replications=10, seed=1)[key]
    assert mornings.low <= 20 / 24 <= mornings.high


@pytest.mark.django_db
def test_discovery_reads_each_departments_own_calendar(office_policy):
    mornings = BusinessCalendar.objects.create(name="Mornings", time_zone="UTC")
    for weekday in range(5):
        WorkingHours.objects.create(calendar=mornings, weekday=weekday, start=time(8), end=time(12))
    own, other = DepartmentFactory(calendar=mornings), DepartmentFactory()
    for department in (own, other):
        AgentFactory.create_batch(2, departments=[department])
        CategoryFactory(default_department=department)
    CustomerFactory.create_batch(3)
    generate_history(requests=300, days=14, seed=3, now=NOW)
    model = discover(start=NOW - timedelta(days=14), end=NOW)
    assert set(model.department_hours) == {str(own.pk)}
    shares = model.department_hours[str(own.pk)]
    weekday_morning = [d * 24 + h for d in range(5) for h in range(8, 12)]
    assert [shares[h] for h in weekday_morning] == [1.0] * len(weekday_morning)
    assert sum(shares) == len(weekday_morning)
    assert model.hours_of(str(other.pk)) == model.open_hours != shares
