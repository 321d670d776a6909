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
from apps.eventlog.models import Event, EventKind
from apps.lifecycle.channel import Channel
from apps.lifecycle.priority import Level, priority_for
from apps.lifecycle.states import SUBMIT, State
from apps.sla.models import SLAClock
from apps.sla.timers import match_policy
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
# The share of requests whose work stalls (three times as many in the slow department), for
# how many days, and the offset of their random stream's seed.
STALL_SHARE, SLOW_STALLS, STALL_DAYS, STALL_SEED = 0.1, 3, (2, 8), 7919
# Hours of the day, weighted: most requests arrive in office hours.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 10, 8, 10, 12, 11, 9, 6, 4, 3, 2, 2, 1, 1]


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
        categories=list(Category.objects.filter(is_active=True)),
    )


def generate_history(
    *,
    requests: int,
    days: int,
    seed: int = 2026,
    now: datetime | None = None,
    chunk: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Write `requests` requests submitted over the `days` before `now`, each with its whole
    story up to now. Writes: requests (tagged `generated-history`), events, SLA clocks,
    messages and feedback, in one transaction per chunk. Raises NoOrganisation."""
    org, rng, now = load_org(), random.Random(seed), now or timezone.now()
    # Stalls are drawn from a stream of their own, so a seed's other stories stay as they were.
    stalls = random.Random(seed + STALL_SEED)
    totals = {"requests": 0, "events": 0}
    done = 0
    while done < requests:
        size = min(chunk, requests - done)
        cases = [
            _simulate(_new_request(org, rng, now, days), org, rng, now, _stall_of(stalls))
            for _ in range(size)
        ]
        totals["events"] += _write(cases)
        totals["requests"] += size
        done += size
        if progress:
            progress(size)
    return totals


def _new_request(org: Org, rng: random.Random, now: datetime, days: int) -> ServiceRequest:
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


def _stall_of(stalls: random.Random) -> tuple[float, int]:
    """(a roll deciding whether the work stalls, how many days it would): both always drawn."""
    return stalls.random(), stalls.randint(*STALL_DAYS)


def _simulate(
    request: ServiceRequest,
    org: Org,
    rng: random.Random,
    now: datetime,
    stall: tuple[float, int] = (1.0, 0),
) -> Case:
    case = Case(request=request, rng=rng, now=now, policy=match_policy(request), stall=stall)
    customer_user = request.customer.user_id
    case.move(SUBMIT, State.NEW, Role.CUSTOMER, customer_user, channel=request.channel)
    case.start_clocks()
    _story(case, org, rng, customer_user)
    return case


def _story(case: Case, org: Org, rng: random.Random, customer: int) -> None:
    request = case.request
    if not _bot_answer(case, rng, customer):
        return
    department = (
        request.category.default_department
        if request.category and request.category.default_department_id in org.agents_of
        else rng.choice(org.departments)
    )
    if not case.wait(case.minutes(8)):
        return
    request.department = department
    case.move("route", State.QUEUED, Role.SYSTEM)
    if rng.random() < 0.03:
        if case.wait(case.minutes(60)):
            case.move("cancel", State.CANCELLED, Role.CUSTOMER, customer)
        return
    if not _work(case, org, rng, customer):
        return
    if rng.random() < 0.08 and not _transfer(case, org, rng, customer):
        return
    if not _stall(case, customer, slow=department.pk == org.departments[-1].pk):
        return
    if not case.wait(case.minutes(_work_minutes(department, org))):
        return
    _resolve(case, rng, customer)


def _bot_answer(case: Case, rng: random.Random, customer: int) -> bool:
    """Perhaps (15 in 100) the bot proposes an answer first. False when the story ends here."""
    if not (rng.random() < 0.15 and case.wait(rng.uniform(0.5, 3))):
        return True
    case.move("propose_answer", State.BOT_ANSWERED, Role.BOT)
    if rng.random() < 0.6:
        if case.wait(case.minutes(20)):
            case.move("accept_answer", State.RESOLVED, Role.CUSTOMER, customer)
            _after_resolution(case, rng, customer)
        return False
    if not case.wait(case.minutes(15)):
        return False
    case.move("decline_answer", State.NEW, Role.CUSTOMER, customer)
    return True


def _resolve(case: Case, rng: random.Random, customer: int) -> None:
    """The assignee resolves; 7 in 100 are reopened and resolved again."""
    request = case.request
    case.move("resolve", State.RESOLVED, Role.AGENT, request.assignee.user_id)
    if rng.random() < 0.07 and case.wait(case.minutes(600)):
        case.move("reopen", State.IN_PROGRESS, Role.CUSTOMER, customer)
        if not case.wait(case.minutes(90)):
            return
        case.move("resolve", State.RESOLVED, Role.AGENT, request.assignee.user_id)
    _after_resolution(case, rng, customer)


def _stall(case: Case, customer: int, *, slow: bool) -> bool:
    """A stalled request (a part on order, a forgotten ticket): the customer chases and
    escalates once a day until work resumes. Stalls breach the resolution target, so the ETA
    model learns what a request at risk looks like, and the latest ones are still open, in the
    at-risk queue. False when the story reaches now."""
    roll, days = case.stall
    if roll >= STALL_SHARE * (SLOW_STALLS if slow else 1):
        return True
    for _ in range(days):
        if not case.wait(24 * 60):
            return False
        case.note(EventKind.MESSAGE, Role.CUSTOMER, customer, visibility="public")
        case.move("escalate", None, Role.CUSTOMER, customer)
    return True


def _work_minutes(department, org: Org) -> float:
    # The last department (in name order) is the slow one: a bottleneck to find.
    return 240 if department.pk == org.departments[-1].pk else 90


def _work(case: Case, org: Org, rng: random.Random, customer: int) -> bool:
    """Queue wait, assignment, first reply, start, perhaps a reassignment, a question to the
    customer or an escalation. False when the story reaches now."""
    request = case.request
    agents = org.agents_of[request.department_id]
    if not case.wait(case.minutes(45 if request.department_id == org.departments[-1].pk else 20)):
        return False
    request.assignee = rng.choice(agents)
    case.move("assign", State.ASSIGNED, Role.SYSTEM)
    if not case.wait(case.minutes(25)):
        return False
    case.agent_replies(request.assignee)
    if not case.wait(case.minutes(10)):
        return False
    case.move("start", State.IN_PROGRESS, Role.AGENT, request.assignee.user_id)
    if rng.random() < 0.1 and len(agents) > 1 and case.wait(case.minutes(30)):
        request.assignee = rng.choice([a for a in agents if a.pk != request.assignee_id])
        case.move("reassign", State.ASSIGNED, Role.SYSTEM)
        if not case.wait(case.minutes(15)):
            return False
        case.move("start", State.IN_PROGRESS, Role.AGENT, request.assignee.user_id)
    if rng.random() < 0.2 and not _ask_customer(case, customer):
        return False
    if rng.random() < 0.05 and case.wait(case.minutes(60)):
        raise_priority = rng.random() < 0.5
        if raise_priority:
            case.raise_priority()
        case.move("escalate", None, Role.CUSTOMER, customer)
    return True


def _ask_customer(case: Case, customer: int) -> bool:
    """A question to the customer and their reply. False when the story reaches now."""
    request = case.request
    if not case.wait(case.minutes(30)):
        return False
    case.move("request_info", State.PENDING_CUSTOMER, Role.AGENT, request.assignee.user_id)
    if not case.wait(case.minutes(480)):
        return False
    case.note(EventKind.MESSAGE, Role.CUSTOMER, customer, visibility="public")
    case.move("customer_reply", State.IN_PROGRESS, Role.CUSTOMER, customer)
    return True


def _transfer(case: Case, org: Org, rng: random.Random, customer: int) -> bool:
    """A transfer handoff to another department (2 in 10 bounce back first)."""
    request = case.request
    others = [d for d in org.departments if d.pk != request.department_id]
    if not others:
        return True
    if not case.wait(case.minutes(30)):
        return False
    target = rng.choice(others)
    handoff = {"handoff_kind": "transfer", "from_department": request.department_id}
    case.note(
        EventKind.HANDOFF,
        Role.AGENT,
        request.assignee.user_id,
        step="requested",
        to_department=target.pk,
        **handoff,
    )
    if rng.random() < 0.2:
        if not case.wait(case.minutes(60)):
            return False
        case.note(
            EventKind.HANDOFF, Role.SYSTEM, step="bounced", to_department=target.pk, **handoff
        )
    if not case.wait(case.minutes(40)):
        return False
    case.note(
        EventKind.HANDOFF,
        Role.AGENT,
        org.lead_of.get(target.pk),
        step="accepted",
        to_department=target.pk,
        **handoff,
    )
    request.department, request.assignee = target, None
    case.move("transfer", State.QUEUED, Role.SYSTEM, department={"to": target.pk})
    return _work(case, org, rng, customer)


def _after_resolution(case: Case, rng: random.Random, customer: int) -> None:
    if rng.random() < 0.35 and case.wait(case.minutes(240)):
        rating = rng.choices([1, 2, 3, 4, 5], weights=[4, 5, 10, 30, 51])[0]
        case.note(EventKind.FEEDBACK, Role.CUSTOMER, customer, rating=rating)
        case.feedback = (rating, case.t)
    if rng.random() < 0.7 and case.wait(case.minutes(60 * 24)):
        case.move("close", State.CLOSED, Role.CUSTOMER, customer)


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
