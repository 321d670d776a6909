"""A generated history with consult handoffs whose parameters are known by construction: every
request of the first department's category is routed there, worked, and with probability
`share` its agent consults the second department (accepted after a lognormal time of median
`accept_minutes`, completed after a lognormal time of median `work_minutes`) before resolving;
with `refused`, that share of the consults is declined (half of them) or expires (the others)
after a lognormal time of median `refuse_minutes`, and the request is resolved all the same.
Written as the demo generator writes its history (apps/demo/history.py)."""

import math
import random
from datetime import datetime, timedelta

from apps.accounts.actors import Role
from apps.demo.history import TAG, _write, load_org
from apps.demo.history_case import Case
from apps.eventlog.models import EventKind
from apps.lifecycle.channel import Channel
from apps.lifecycle.priority import Level, priority_for
from apps.lifecycle.states import SUBMIT, State
from apps.sla.timers import match_policy
from apps.tickets.models import ServiceRequest

SIGMA = 0.5


def write_consult_history(
    *,
    requests: int,
    days: int,
    now: datetime,
    share: float,
    accept_minutes: float,
    seed: int,
    refused: float = 0.0,
    refuse_minutes: float = 90.0,
) -> dict:
    """Requests spread evenly over the `days` before the last day before `now`; returns the
    number of consults written and the two department ids."""
    org, rng = load_org(), random.Random(seed)
    source, target = org.departments[0], org.departments[1]
    category = next(c for c in org.categories if c.default_department_id == source.pk)
    start = now - timedelta(days=days + 1)
    cases, consults, refusals = [], 0, 0
    for i in range(requests):
        created = start + timedelta(days=days * (i + rng.random()) / requests)
        case = _case(org, rng, now, created, category)
        agent = rng.choice(org.agents_of[source.pk])
        _work(case, source, agent)
        if rng.random() < share:
            consults += 1
            people = (agent, org.lead_of.get(target.pk))
            if refused and rng.random() < refused:
                refusals += 1
                ending = "declined" if refusals % 2 else "expired"
                _refuse(case, rng, (source, target), (agent.user_id, ending), refuse_minutes)
            else:
                _consult(case, rng, (source, target), people, accept_minutes)
        case.wait(10)
        case.move("resolve", State.RESOLVED, Role.AGENT, agent.user_id)
        case.wait(60)
        case.move("close", State.CLOSED, Role.CUSTOMER, case.request.customer.user_id)
        cases.append(case)
    _write(cases)
    return {
        "consults": consults,
        "refused": refusals,
        "source": str(source.pk),
        "target": str(target.pk),
    }


def _case(org, rng, now, created, category) -> Case:
    request = ServiceRequest(
        customer=rng.choice(org.customers),
        subject="Consult",
        channel=Channel.values[0],
        category=category,
        impact=Level.values[1],
        urgency=Level.values[1],
        priority=priority_for(Level.values[1], Level.values[1]),
        tags=[TAG],
        created_at=created,
        state_changed_at=created,
    )
    case = Case(request=request, rng=rng, now=now, policy=match_policy(request))
    case.move(SUBMIT, State.NEW, Role.CUSTOMER, request.customer.user_id, channel=request.channel)
    case.start_clocks()
    return case


def _work(case: Case, department, agent) -> None:
    request = case.request
    case.wait(5)
    request.department = department
    case.move("route", State.QUEUED, Role.SYSTEM)
    case.wait(10)
    request.assignee = agent
    case.move("assign", State.ASSIGNED, Role.SYSTEM)
    case.wait(5)
    case.move("start", State.IN_PROGRESS, Role.AGENT, agent.user_id)
    case.wait(30)


def _consult(case: Case, rng, pair, people, accept_minutes: float) -> None:
    (source, target), (agent, lead) = pair, people
    payload = {"handoff_kind": "consult", "from_department": source.pk, "to_department": target.pk}
    case.note(EventKind.HANDOFF, Role.AGENT, agent.user_id, step="requested", **payload)
    case.wait(rng.lognormvariate(math.log(accept_minutes), SIGMA))
    case.note(EventKind.HANDOFF, Role.AGENT, lead, step="accepted", **payload)
    case.wait(rng.lognormvariate(math.log(20), SIGMA))
    case.note(EventKind.HANDOFF, Role.AGENT, lead, step="completed", **payload)


def _refuse(case: Case, rng, pair, asked, minutes: float) -> None:
    (source, target), (user, ending) = pair, asked
    payload = {"handoff_kind": "consult", "from_department": source.pk, "to_department": target.pk}
    case.note(EventKind.HANDOFF, Role.AGENT, user, step="requested", **payload)
    case.wait(rng.lognormvariate(math.log(minutes), SIGMA))
    case.note(EventKind.HANDOFF, Role.SYSTEM, step=ending, **payload)
