"""Routing and assignment as plain functions on the database: rules, strategies, explanations."""

import datetime as dt

import pytest
from django.core.management import call_command

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.accounts.models import Agent, AgentSkill, AssignmentStrategy, Availability, Skill
from apps.accounts.services import do_set_availability
from apps.core.errors import Forbidden, InvalidData
from apps.eventlog.models import Event
from apps.lifecycle.priority import Priority
from apps.lifecycle.states import State
from apps.routing.models import RoutingRule
from apps.sla.models import BusinessCalendar, WorkingHours
from apps.tickets.models import ServiceRequest
from tests.factories import (
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    DepartmentFactory,
    UserFactory,
    drive,
    submit,
)
from workflows import receivers
from workflows.assignment import (
    assign_freed_capacity,
    assign_request,
    assign_waiting,
    requeue_offline_agent,
)
from workflows.routing import route_request

pytestmark = pytest.mark.django_db


def queued(department, **route):
    """A new request routed by hand into `department` (route data such as required_skills)."""
    return drive(submit(CustomerFactory()), ("route", {"department": department, **route}, SYSTEM))


def held_by(agent, department, *steps):
    """A request of `department` assigned to `agent`, then taken through `steps` by them."""
    request = drive(queued(department), ("assign", {"assignee": agent}, SYSTEM))
    return drive(request, *[(step, {}, actor_for_user(agent.user)) for step in steps])


def skilled(agent, **levels):
    for name, level in levels.items():
        skill, _ = Skill.objects.get_or_create(name=name)
        AgentSkill.objects.create(agent=agent, skill=skill, level=level)
    return agent


def reload(request) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=request.pk)


def event_of(request, transition: str) -> Event:
    return Event.objects.get(request=request, transition=transition)


@pytest.fixture
def triage(db):
    return DepartmentFactory(name="Triage", code="triage", is_triage=True)


@pytest.fixture
def network(db):
    return DepartmentFactory(name="Network", code="net")


@pytest.fixture
def sent(monkeypatch):
    """Tasks the receivers would send, recorded instead of going to the broker."""
    calls = []
    monkeypatch.setattr(
        receivers, "enqueue", lambda name, **kwargs: calls.append((name, kwargs)) or True
    )
    return calls


# --- routing ----------------------------------------------------------------------------------


def test_a_matching_rule_routes_sets_priority_tags_and_skills_and_explains(triage, network):
    RoutingRule.objects.create(name="catch all", order=50, department=triage)
    vpn = RoutingRule.objects.create(
        name="VPN",
        order=10,
        keywords=["vpn"],
        department=network,
        raise_priority=True,
        tags=["VPN", "remote"],
        required_skills={"networking": 3},
    )
    request = submit(subject="VPN down since 8", urgency="medium", impact="medium")
    assert request.priority == Priority.MEDIUM

    assert route_request(request.pk).startswith("routed to net;")

    request = reload(request)
    assert request.state == State.QUEUED
    assert request.department == network
    assert request.priority == Priority.HIGH and request.priority_overridden
    assert request.tags == ["remote", "vpn"]
    assert request.required_skills == {"networking": 3}
    payload = event_of(request, "route").payload
    assert payload["explain"] == {"rule": "VPN", "rule_id": vpn.pk, "department_from": "rule"}
    assert payload["reason"] == "routed by rule 'VPN'"
    assert payload["department"] == {"from": None, "to": network.pk}
    assert payload["priority"] == {"from": Priority.MEDIUM, "to": Priority.HIGH}


def test_a_rule_that_sets_priority_wins_over_raising(network):
    RoutingRule.objects.create(
        name="gold",
        customer_tiers=["gold"],
        department=network,
        priority=Priority.CRITICAL,
        raise_priority=True,
    )
    request = submit(CustomerFactory(tier="gold"), impact="low", urgency="low")
    route_request(request.pk)
    assert reload(request).priority == Priority.CRITICAL


def test_first_matching_rule_in_order_wins_and_inactive_rules_are_skipped(triage, network):
    desk = DepartmentFactory(code="desk")
    RoutingRule.objects.create(name="off", order=1, keywords=["printer"], active=False)
    RoutingRule.objects.create(name="late", order=30, keywords=["printer"], department=desk)
    RoutingRule.objects.create(name="early", order=20, pattern=r"print(er)?", department=network)
    request = submit(subject="Printer out of toner")
    assert route_request(request.pk).startswith("routed to net;")
    assert event_of(request, "route").payload["explain"]["rule"] == "early"


def test_without_a_matching_rule_the_category_default_department_takes_it(triage, network):
    RoutingRule.objects.create(name="vpn", keywords=["vpn"], department=triage)
    category = CategoryFactory(default_department=network)
    request = submit(subject="Printer jammed", category=category)
    assert route_request(request.pk).startswith("routed to net;")
    payload = event_of(request, "route").payload
    assert payload["explain"] == {"rule": None, "rule_id": None, "department_from": "category"}
    assert payload["reason"] == "routed by category"


def test_a_rule_without_department_adds_tags_and_the_category_decides(triage, network):
    RoutingRule.objects.create(name="tag printers", keywords=["printer"], tags=["hardware"])
    request = submit(subject="Printer jammed", category=CategoryFactory(default_department=network))
    route_request(request.pk)
    request = reload(request)
    assert (request.department, request.tags) == (network, ["hardware"])
    explain = event_of(request, "route").payload["explain"]
    assert (explain["rule"], explain["department_from"]) == ("tag printers", "category")


def test_triage_catches_the_rest(triage, network):
    RoutingRule.objects.create(name="vpn", keywords=["vpn"], department=network)
    request = submit(subject="Something odd")
    assert route_request(request.pk).startswith("routed to triage;")
    payload = event_of(request, "route").payload
    assert payload["explain"]["department_from"] == "triage"
    assert payload["reason"] == "routed by triage"


def test_without_triage_department_the_request_waits_in_new(db):
    request = submit(subject="Something odd")
    assert route_request(request.pk) == "no department"
    assert reload(request).state == State.NEW


def test_a_redelivered_route_request_does_nothing(triage):
    request = submit()
    route_request(request.pk)
    events = Event.objects.filter(request=request).count()
    assert route_request(request.pk) == "nothing to do"
    assert route_request(10**9) == "nothing to do"
    assert Event.objects.filter(request=request).count() == events
    assert reload(request).version == 2


# --- strategies -------------------------------------------------------------------------------


def test_least_loaded_takes_only_online_agents_and_explains_the_candidates(network):
    busy = AgentFactory(user__username="busy", departments=[network], capacity=4)
    free = skilled(AgentFactory(user__username="free", departments=[network]), vpn=2)
    AgentFactory(departments=[network], availability=Availability.AWAY)
    AgentFactory(departments=[network], availability=Availability.OFFLINE)
    AgentFactory(availability=Availability.ONLINE)  # another department's
    held_by(busy, network)
    request = queued(network)

    assert assign_request(request.pk) == f"assigned to agent {free.pk}"

    request = reload(request)
    assert (request.state, request.assignee) == (State.ASSIGNED, free)
    payload = event_of(request, "assign").payload
    assert payload["reason"] == "least loaded (0/10)"
    assert payload["assignee"] == {"from": None, "to": free.pk}
    assert payload["explain"] == {
        "strategy": "least_loaded",
        "chosen": free.pk,
        "candidates": [
            {"agent": busy.pk, "name": "busy", "load": 1, "capacity": 4, "skills": {}},
            {"agent": free.pk, "name": "free", "load": 0, "capacity": 10, "skills": {"vpn": 2}},
        ],
    }
    free.refresh_from_db()
    assert free.last_assigned_at is not None


def test_a_redelivered_assign_request_does_nothing(network):
    AgentFactory(departments=[network])
    request = queued(network)
    assign_request(request.pk)
    assert assign_request(request.pk) == "nothing to do"
    assert Event.objects.filter(request=request, transition="assign").count() == 1


def test_round_robin_takes_turns(network):
    network.assignment_strategy = AssignmentStrategy.ROUND_ROBIN
    network.save()
    first = AgentFactory(departments=[network], capacity=5)
    second = AgentFactory(departments=[network], capacity=5)
    Agent.objects.filter(pk=first.pk).update(
        last_assigned_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    held_by(second, network)  # load does not matter to round robin
    chosen = []
    for _ in range(4):
        request = queued(network)
        assign_request(request.pk)
        chosen.append(reload(request).assignee_id)
    # `second` was given its request by hand, so it has never been assigned automatically.
    assert chosen == [second.pk, first.pk, second.pk, first.pk]
    assert event_of(reload(request), "assign").payload["explain"]["strategy"] == "round_robin"


def test_skills_strategy_picks_an_agent_with_every_required_skill(network):
    network.assignment_strategy = AssignmentStrategy.SKILLS
    network.save()
    skilled(AgentFactory(departments=[network]), networking=2, vpn=5)
    expert = skilled(AgentFactory(departments=[network]), networking=4, vpn=2)
    request = queued(network, required_skills={"networking": 3, "vpn": 2})

    assert assign_request(request.pk) == f"assigned to agent {expert.pk}"
    payload = event_of(request, "assign").payload
    assert payload["explain"]["strategy"] == "skills"
    assert payload["reason"].startswith("skills {")
    assert "'networking': 3" in payload["reason"] and "'vpn': 2" in payload["reason"]
    assert payload["reason"].endswith("least loaded (0/10)")
    assert {c["agent"]: c["skills"] for c in payload["explain"]["candidates"]}[expert.pk] == {
        "networking": 4,
        "vpn": 2,
    }


def test_skills_nobody_fits_and_the_request_stays_queued(network):
    network.assignment_strategy = AssignmentStrategy.SKILLS
    network.save()
    skilled(AgentFactory(departments=[network]), networking=2)
    request = queued(network, required_skills={"networking": 3})
    assert (
        assign_request(request.pk) == "no available agent under capacity with the required skills"
    )
    request = reload(request)
    assert (request.state, request.assignee) == (State.QUEUED, None)
    assert not Event.objects.filter(request=request, transition="assign").exists()


def test_agents_at_capacity_are_not_given_more(network):
    agent = AgentFactory(departments=[network], capacity=2)
    held_by(agent, network)
    held_by(agent, network, "start", "request_info")  # pending on the customer still counts
    request = queued(network)
    assert assign_request(request.pk) == "no available agent under capacity"
    assert reload(request).state == State.QUEUED


def test_a_manual_department_assigns_nobody(network):
    network.assignment_strategy = AssignmentStrategy.MANUAL
    network.save()
    AgentFactory(departments=[network])
    request = queued(network)
    assert assign_request(request.pk) == "manual"
    assert assign_waiting(network.pk) == 0
    assert reload(request).assignee is None


def test_outside_the_departments_working_hours_nobody_is_assigned(network, clock):
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="UTC")
    for weekday in range(5):
        WorkingHours.objects.create(
            calendar=calendar, weekday=weekday, start=dt.time(9), end=dt.time(17)
        )
    network.calendar = calendar
    network.save()
    agent = AgentFactory(departments=[network])
    clock.advance(hours=9)  # Monday 18:00
    request = queued(network)

    assert assign_request(request.pk) == "outside the department's working hours"
    assert reload(request).state == State.QUEUED

    clock.advance(hours=15)  # Tuesday 09:00
    assert assign_request(request.pk) == f"assigned to agent {agent.pk}"


# --- waiting requests -------------------------------------------------------------------------


def test_a_queued_request_is_assigned_when_an_agent_comes_online(
    network, sent, django_capture_on_commit_callbacks
):
    agent = AgentFactory(departments=[network], availability=Availability.OFFLINE)
    request = queued(network)
    assert assign_request(request.pk) == "no available agent under capacity"

    with django_capture_on_commit_callbacks(execute=True):
        do_set_availability(agent, Availability.ONLINE, actor=actor_for_user(agent.user))
    assert sent == [("routing.assign_waiting", {"department_id": network.pk})]

    assert assign_waiting(network.pk) == 1
    assert reload(request).assignee == agent
    call_command("check_event_log")


def test_a_resolved_request_frees_a_slot_for_the_next(
    network, sent, django_capture_on_commit_callbacks
):
    agent = AgentFactory(departments=[network], capacity=1)
    working = held_by(agent, network, "start")
    waiting = queued(network)
    assert assign_request(waiting.pk) == "no available agent under capacity"

    with django_capture_on_commit_callbacks(execute=True):
        drive(working, ("resolve", {}, actor_for_user(agent.user)))
    assert ("routing.assign_freed_capacity", {"agent_id": agent.pk}) in sent

    assert assign_freed_capacity(agent.pk) == 1
    assert reload(waiting).assignee == agent
    assert assign_waiting(network.pk) == 0
    call_command("check_event_log")


def test_freed_capacity_serves_every_department_of_the_agent(network):
    other = DepartmentFactory()
    agent = AgentFactory(departments=[network, other], capacity=1)
    working = held_by(agent, network, "start")
    waiting_elsewhere = queued(other)
    assert assign_request(waiting_elsewhere.pk) == "no available agent under capacity"
    drive(working, ("resolve", {}, actor_for_user(agent.user)))
    assert assign_freed_capacity(agent.pk) == 1
    assert reload(waiting_elsewhere).assignee == agent


def test_assign_waiting_takes_the_most_urgent_first_and_stops_when_nobody_has_room(network):
    AgentFactory(departments=[network], capacity=2)
    low = queued(network, priority=Priority.LOW)
    first = queued(network)
    second = queued(network)
    critical = queued(network, priority=Priority.CRITICAL)
    assert assign_waiting(network.pk) == 2
    assigned = set(
        ServiceRequest.objects.filter(assignee__isnull=False).values_list("pk", flat=True)
    )
    assert assigned == {critical.pk, first.pk}
    assert reload(low).state == reload(second).state == State.QUEUED


def test_a_request_nobody_has_the_skills_for_does_not_block_the_ones_behind_it(network):
    network.assignment_strategy = AssignmentStrategy.SKILLS
    network.save()
    agent = AgentFactory(departments=[network])
    rare = queued(network, required_skills={"mainframe": 5})
    plain = queued(network)
    assert assign_waiting(network.pk) == 1
    assert reload(plain).assignee == agent
    assert reload(rare).assignee is None


# --- an agent going offline -------------------------------------------------------------------


def test_requeue_offline_agent_returns_only_unstarted_work_of_rebalancing_departments(network):
    keeps = DepartmentFactory(rebalance_on_offline=False)
    agent = AgentFactory(departments=[network, keeps])
    unstarted = held_by(agent, network)
    started = held_by(agent, network, "start")
    kept = held_by(agent, keeps)
    assert requeue_offline_agent(agent.pk) == 0  # still online

    do_set_availability(agent, Availability.OFFLINE, actor=SYSTEM)
    assert requeue_offline_agent(agent.pk) == 1

    unstarted = reload(unstarted)
    assert (unstarted.state, unstarted.assignee) == (State.QUEUED, None)
    payload = event_of(unstarted, "unassign").payload
    assert payload["reason"] == "the assignee went offline"
    assert payload["assignee"] == {"from": agent.pk, "to": None}
    assert (reload(started).state, reload(started).assignee) == (State.IN_PROGRESS, agent)
    assert (reload(kept).state, reload(kept).assignee) == (State.ASSIGNED, agent)
    assert requeue_offline_agent(agent.pk) == 0  # a redelivery finds nothing more
    call_command("check_event_log")


def test_requeued_work_goes_to_an_online_colleague(
    network, sent, django_capture_on_commit_callbacks
):
    leaving = AgentFactory(departments=[network])
    colleague = AgentFactory(departments=[network], availability=Availability.AWAY)
    request = held_by(leaving, network)
    do_set_availability(colleague, Availability.ONLINE, actor=SYSTEM)

    with django_capture_on_commit_callbacks(execute=True):
        do_set_availability(leaving, Availability.AWAY, actor=actor_for_user(leaving.user))
    assert sent == [("routing.requeue_offline_agent", {"agent_id": leaving.pk})]
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_offline_agent(leaving.pk) == 1
    assert ("routing.assign_request", {"request_id": request.pk}) in sent

    assert assign_request(request.pk) == f"assigned to agent {colleague.pk}"
    transitions = list(
        Event.objects.filter(request=request, kind="transition").values_list(
            "transition", flat=True
        )
    )
    assert transitions == ["submit", "route", "assign", "unassign", "assign"]
    call_command("check_event_log")


# --- availability -----------------------------------------------------------------------------


def test_who_may_set_an_agents_availability(network):
    agent = AgentFactory(departments=[network], availability=Availability.OFFLINE)
    lead = AgentFactory(departments=[network])
    network.leads.add(lead.user)
    other_lead = AgentFactory(departments=[DepartmentFactory()])
    other_lead.user.led_departments.add(*other_lead.departments.all())
    colleague = AgentFactory(departments=[network])
    superuser = UserFactory(is_superuser=True)

    for actor, value in (
        (actor_for_user(agent.user), Availability.ONLINE),
        (actor_for_user(lead.user), Availability.AWAY),
        (actor_for_user(superuser), Availability.OFFLINE),
        (SYSTEM, Availability.ONLINE),
    ):
        assert do_set_availability(agent, value, actor=actor).availability == value
        agent.refresh_from_db()
        assert agent.availability == value

    for actor in (actor_for_user(colleague.user), actor_for_user(other_lead.user)):
        with pytest.raises(Forbidden):
            do_set_availability(agent, Availability.OFFLINE, actor=actor)
    with pytest.raises(InvalidData) as error:
        do_set_availability(agent, "busy", actor=actor_for_user(agent.user))
    assert "availability" in error.value.details["fields"]
    agent.refresh_from_db()
    assert agent.availability == Availability.ONLINE


def test_availability_is_announced_after_commit_only_on_a_real_change(
    network, sent, django_capture_on_commit_callbacks
):
    agent = AgentFactory(departments=[network], availability=Availability.ONLINE)
    actor = actor_for_user(agent.user)
    with django_capture_on_commit_callbacks() as callbacks:
        do_set_availability(agent, Availability.ONLINE, actor=actor)
    assert callbacks == []

    with django_capture_on_commit_callbacks() as callbacks:
        do_set_availability(agent, Availability.OFFLINE, actor=actor)
        assert sent == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [("routing.requeue_offline_agent", {"agent_id": agent.pk})]
