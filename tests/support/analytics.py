"""A small desk history with known answers, built through the door on a moving clock."""

from datetime import UTC, datetime, time

import pytest

from apps.accounts.actors import BOT, SYSTEM, actor_for_user
from apps.sla.models import BusinessCalendar, SLAPolicy, WorkingHours
from apps.tickets import services
from apps.tickets.feedback import do_give_feedback
from apps.tickets.transition_data import transition_data
from tests.factories import submit
from tests.paths import Desk

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PERIOD = {"start": MONDAY_9, "end": datetime(2026, 3, 4, 0, 0, tzinfo=UTC)}


@pytest.fixture
def office_policy(db):
    """Monday to Friday 09:00-17:00 UTC: first response 60 min, resolution 8 h."""
    calendar = BusinessCalendar.objects.create(name="Office UTC", time_zone="UTC")
    for weekday in range(5):
        WorkingHours.objects.create(calendar=calendar, weekday=weekday, start=time(9), end=time(17))
    return SLAPolicy.objects.create(
        name="Office",
        order=100,
        calendar=calendar,
        first_response_minutes=60,
        resolution_minutes=480,
    )


class History:
    """Five requests (A-E) with the figures docs/analytics.md's example gives."""

    def __init__(self, clock, customer):
        self.clock, self.desk = clock, Desk(customer)
        self.lead = actor_for_user(self.desk.lead.user)
        self.customer = actor_for_user(customer.user)

    def at(self, day: int, hour: int, minute: int = 0) -> None:
        target = datetime(2026, 3, day, hour, minute, tzinfo=UTC)
        self.clock.advance(seconds=(target - self.clock.now).total_seconds())

    def run(self, request, name, actor, **data):
        return services.transition(request, name, actor=actor, data=transition_data(name, data))

    def build(self):
        desk, lead, customer = self.desk, self.lead, self.customer
        # A: answered after 30 min, waits on the customer overnight, resolved Tuesday 11:00.
        self.at(2, 16)
        a = submit(desk.customer)
        self.at(2, 16, 10)
        a = self.run(a, "route", SYSTEM, department=desk.department)
        self.at(2, 16, 20)
        a = self.run(a, "assign", SYSTEM, assignee=desk.lead)
        self.at(2, 16, 30)
        services.do_post_message(a, actor=lead, body="Looking into it")
        a.refresh_from_db()
        self.at(2, 16, 40)
        a = self.run(a, "start", lead)
        self.at(2, 16, 50)
        a = self.run(a, "request_info", lead)
        self.at(3, 10)
        a = self.run(a, "customer_reply", customer)
        self.at(3, 11)
        a = self.run(a, "resolve", lead)
        # B: the bot's answer accepted after 10 minutes (deflected).
        self.at(3, 12)
        b = submit(desk.customer)
        self.at(3, 12, 5)
        b = self.run(b, "propose_answer", BOT)
        self.at(3, 12, 10)
        b = self.run(b, "accept_answer", customer)
        # C: reassigned, escalated, resolved at 15:00, reopened, resolved again at 16:00.
        self.at(3, 13)
        c = submit(desk.customer)
        c = self.run(c, "route", SYSTEM, department=desk.department)
        c = self.run(c, "assign", SYSTEM, assignee=desk.lead)
        self.at(3, 13, 30)
        c = self.run(c, "reassign", SYSTEM, assignee=desk.second)
        self.at(3, 13, 40)
        c = self.run(c, "start", lead)
        self.at(3, 14)
        c = self.run(c, "escalate", customer)
        self.at(3, 15)
        c = self.run(c, "resolve", lead)
        self.at(3, 15, 30)
        c = self.run(c, "reopen", customer)
        self.at(3, 16)
        c = self.run(c, "resolve", lead)
        # D: queued, handed off and bounced back; still open at the end.
        self.at(3, 16, 30)
        d = submit(desk.customer)
        d = self.run(d, "route", SYSTEM, department=desk.department)
        for step in ("requested", "bounced"):
            services.append_event(d, kind="handoff", actor=SYSTEM, payload={"step": step})
        # E: cancelled at once.
        e = submit(desk.customer)
        e = self.run(e, "cancel", customer)
        self.at(3, 17)
        do_give_feedback(a, actor=customer, rating=5, comment="Quick and kind")
        do_give_feedback(b, actor=customer, rating=4)
        self.requests = {"a": a, "b": b, "c": c, "d": d, "e": e}
        return self


@pytest.fixture
def history(clock, customer, office_policy):
    return History(clock, customer).build()
