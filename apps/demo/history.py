"""A back-dated desk history for demos, control charts and benchmarks: requests spread over past
days, written in bulk as consistent rows (requests, event log, SLA clocks, messages, feedback)
that `check_event_log` accepts."""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.accounts.actors import Role
from apps.accounts.models import Customer, Department
from apps.demo.history_case import Case, Org
from apps.demo.history_desk import Desk
from apps.demo.history_play import play_in_time_order
from apps.demo.history_story import Story
from apps.eventlog.models import Event, EventKind
from apps.lifecycle.channel import Channel
from apps.lifecycle.priority import Level, priority_for
from apps.lifecycle.states import SUBMIT, State
from apps.sla.business_time import Schedule
from apps.sla.models import SLAClock, SLAPolicy
from apps.sla.timers import ALWAYS_OPEN, match_policy
from apps.tickets.models import Category, Feedback, Message, ServiceRequest

TAG = "generated-history"
SUBJECTS = [
    "Laptop does not boot",
    "Password reset",
    "Invoice amount looks wrong",
    "Badge does not open the door",
    "VPN disconnects every hour",
    "Printer on floor 3 jams",
    "Need access to the shared drive",
    "Error 500 in the expense tool",
]
# Hours of the day, weighted: most requests arrive in office hours.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 10, 8, 10, 12, 11, 9, 6, 4, 3, 2, 2, 1, 1]
WEEKEND_SHARE = 0.3


class NoOrganisation(Exception):
    """There are no departments with agents, or no customers, to make a history with."""


def load_org() -> Org:
    departments = [
        d for d in Department.objects.prefetch_related("agents", "leads") if d.agents.all()
    ]
    customers = list(Customer.objects.all()[:500])
    if not departments or not customers:
        raise NoOrganisation(
            "A history needs departments with agents and customers: run load_demo_data first."
        )
    return Org(
        departments=departments,
        agents_of={d.pk: list(d.agents.all()) for d in departments},
        lead_of={d.pk: next((u.pk for u in d.leads.all()), None) for d in departments},
        customers=customers,
        # By key: the same seed draws the same history whatever order the table returns.
        categories=list(Category.objects.filter(is_active=True).order_by("pk")),
        triage=next((d for d in departments if d.is_triage), departments[0]),
    )


def office_schedule() -> Schedule:
    """When the agents work: the calendar of the catch-all SLA policy (the highest order with
    working hours), else around the clock."""
    for policy in SLAPolicy.objects.filter(calendar__isnull=False).order_by("-order"):
        schedule = policy.calendar.schedule()
        if schedule.has_open_time and not schedule.always_open:
            return schedule
    return ALWAYS_OPEN


def generate_history(  # noqa: PLR0913  keyword-only: what to generate, then how
    *,
    requests: int,
    days: int,
    seed: int = 2026,
    now: datetime | None = None,
    chunk: int = 1000,
    progress: Callable[[int], None] | None = None,
    eligible: dict[int, set[int]] | None = None,
    assigned_by: dict[int, str] | None = None,
    answer_replies: bool = False,
) -> dict:
    """Write `requests` requests submitted over the `days` before `now`, each with its whole
    story up to now, played in time order against the desk's capacity (history_play.py,
    apps/demo/history_desk.py). Writes: requests (tagged `generated-history`), events, SLA
    clocks, messages and feedback, in one transaction per chunk. `eligible`: category id -> the
    agent ids who may work its requests (the others of the department never take them).
    `assigned_by`: department id -> the assignment strategy its `assign` events name ("manual":
    made by the agent; the agent chosen is the same). `answer_replies`: the agent answers each
    customer's reply (a public message) when the work it brings starts. Raises NoOrganisation."""
    org, rng, now = load_org(), random.Random(seed), now or timezone.now()
    drafts = sorted(
        (_new_request(org, rng, now, days) for _ in range(requests)),
        key=lambda request: request.created_at,
    )
    desk = Desk(org, office_schedule(), drafts, now - timedelta(days=days), now)
    desk.eligible = dict(eligible or {})
    desk.assigned_by = dict(assigned_by or {})
    desk.answer_replies = answer_replies
    totals = {"requests": 0, "events": 0}

    def write(cases: list[Case]) -> None:
        totals["events"] += _write(cases)
        totals["requests"] += len(cases)
        if progress:
            progress(len(cases))

    play_in_time_order(
        drafts, lambda request: _begin(request, org, desk, rng, now), desk, write, chunk
    )
    return totals


def _new_request(org: Org, rng: random.Random, now: datetime, days: int) -> ServiceRequest:
    day = now - timedelta(days=rng.uniform(0, days))
    # Fewer requests at the weekend (three in ten of a weekday's).
    while day.weekday() >= 5 and rng.random() > WEEKEND_SHARE:
        day = now - timedelta(days=rng.uniform(0, days))
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    created = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
    if created > now:
        created -= timedelta(days=1)
    impact, urgency = rng.choice(Level.values), rng.choice(Level.values)
    category = rng.choice(org.categories) if org.categories and rng.random() < 0.9 else None
    return ServiceRequest(
        customer=rng.choice(org.customers),
        subject=rng.choice(SUBJECTS),
        channel=rng.choices(Channel.values, weights=[2, 5, 3, 2])[0],
        category=category,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        tags=[TAG],
        created_at=created,
        state_changed_at=created,
    )


def _begin(request: ServiceRequest, org: Org, desk: Desk, rng: random.Random, now):
    """The request's case with its submission, and its story (not started)."""
    case = Case(request=request, rng=rng, now=now, policy=match_policy(request))
    customer_user = request.customer.user_id
    # The submission's payload as the door writes it (apps/tickets/services.py).
    case.move(
        SUBMIT,
        State.NEW,
        Role.CUSTOMER,
        customer_user,
        channel=request.channel,
        priority=int(request.priority),
    )
    case.start_clocks()
    return case, Story(case, org, desk, rng).play()


def _write(cases: list[Case]) -> int:
    """One chunk in one transaction: requests, then what refers to them."""
    with transaction.atomic():
        for case in cases:
            request, last = case.request, case.events[-1]
            request.last_event_seq, request.last_event_at = len(case.events), last["at"]
            request.state_changed_at = case.since
            request.version = 1 + case.transitions
            request.__dict__["state"] = case.state  # the FSM field is protected after init
        ServiceRequest.objects.bulk_create([c.request for c in cases])
        messages = []
        for case in cases:
            for row in case.events:
                if row["kind"] == EventKind.MESSAGE:
                    messages.append((row, _message(case.request, row)))
        Message.objects.bulk_create([m for _, m in messages])
        for row, message in messages:
            row["payload"]["message"] = message.pk
        events = [e for case in cases for e in case.event_rows()]
        Event.objects.bulk_create(events, batch_size=5000)
        SLAClock.objects.bulk_create([clock for c in cases for clock in c.settle_clocks()])
        Feedback.objects.bulk_create(
            Feedback(request=c.request, rating=c.feedback[0], created_at=c.feedback[1])
            for c in cases
            if c.feedback
        )
    return len(events)


def _message(request: ServiceRequest, row: dict) -> Message:
    body = "Thanks, here is what I found." if row["actor_role"] == Role.AGENT else "Here it is."
    return Message(
        request=request,
        author_id=row["actor_id"],
        author_role=row["actor_role"],
        body=body,
        created_at=row["at"],
    )
