"""Routing and assignment in one transaction on a request locked once: events, atomicity, the
stale-instance check and the query budget of the routing task."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.accounts.actors import SYSTEM
from apps.core.errors import Conflict, NotAllowed
from apps.eventlog.models import Event
from apps.lifecycle.states import State
from apps.routing.models import RoutingRule
from apps.tickets import hooks, services
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import RouteData
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory, submit
from workflows.routing import route_request, route_requests

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(db):
    department = DepartmentFactory(name="Network", code="net", assignment_strategy="least_loaded")
    for _ in range(3):
        AgentFactory(departments=[department], availability="online", capacity=5)
    RoutingRule.objects.create(
        name="vpn", order=1, keywords=["vpn"], department=department, tags=["vpn"]
    )
    return department


def transitions_of(request) -> list[tuple[int, str]]:
    events = Event.objects.filter(request=request, kind="transition").order_by("seq")
    return [(e.seq, e.transition) for e in events]


def test_route_and_assign_run_on_one_lock_and_log_both_steps(network):
    request = submit(CustomerFactory(), subject="VPN drops")
    outcome = route_request(request.pk)
    assert outcome.startswith("routed to net; assigned to agent")
    saved = ServiceRequest.objects.get(pk=request.pk)
    assert saved.state == State.ASSIGNED and saved.department == network
    assert saved.version == request.version + 2
    assert [name for _, name in transitions_of(request)] == ["submit", "route", "assign"]
    assert saved.last_event_seq == Event.objects.filter(request=request).count()
    call_command("check_event_log")


def test_a_refused_assignment_leaves_the_request_routed_and_queued(network):
    """Routing and assigning are separate steps: a request the door will not assign waits in
    its department's queue for the next assignment round."""

    def refuse_assign(request, name, actor):
        if name == "assign":
            raise NotAllowed("not now", state=request.state, allowed=[])

    request = submit(CustomerFactory(), subject="VPN drops")
    hooks.guard_transition(refuse_assign)
    try:
        assert route_request(request.pk) == "routed to net; not assigned: not now"
    finally:
        hooks._GUARDS.remove(refuse_assign)
    saved = ServiceRequest.objects.get(pk=request.pk)
    assert (saved.state, saved.department_id, saved.assignee_id) == (State.QUEUED, network.pk, None)
    assert [name for _, name in transitions_of(request)] == ["submit", "route"]
    call_command("check_event_log")


def test_a_refused_assignment_in_a_batch_holds_back_nothing(network):
    """The refusal undoes the batch's assignments; they run again one by one on fresh reads."""
    requests = [submit(CustomerFactory(), subject=f"VPN drops ({i})") for i in range(3)]
    refused = requests[1]

    def refuse_assign(request, name, actor):
        if name == "assign" and request.pk == refused.pk:
            raise NotAllowed("not now", state=request.state, allowed=[])

    hooks.guard_transition(refuse_assign)
    try:
        outcomes = route_requests([r.pk for r in requests])
    finally:
        hooks._GUARDS.remove(refuse_assign)
    assert outcomes[refused.pk] == "routed to net; not assigned: not now"
    states = {r.pk: ServiceRequest.objects.get(pk=r.pk).state for r in requests}
    assert states == {r.pk: State.QUEUED if r == refused else State.ASSIGNED for r in requests}
    assert [name for _, name in transitions_of(refused)] == ["submit", "route"]
    call_command("check_event_log")


def test_a_batch_routes_each_request_once_and_a_refused_one_holds_back_nothing(network):
    requests = [submit(CustomerFactory(), subject=f"VPN drops ({i})") for i in range(5)]
    refused = requests[2]

    def refuse_one(request, name, actor):
        if request.pk == refused.pk and name == "route":
            raise NotAllowed("not this one", state=request.state, allowed=[])

    hooks.guard_transition(refuse_one)
    try:
        # A redelivered message in the same batch changes nothing.
        outcomes = route_requests([r.pk for r in requests] + [requests[0].pk])
    finally:
        hooks._GUARDS.remove(refuse_one)
    assert outcomes[refused.pk] == "not routed: not this one"
    for request in requests:
        saved = ServiceRequest.objects.get(pk=request.pk)
        expected = State.NEW if request == refused else State.ASSIGNED
        assert saved.state == expected
    # Least loaded across the batch: the three agents took the four requests 2-1-1.
    loads = sorted(
        ServiceRequest.objects.filter(state=State.ASSIGNED)
        .values_list("assignee", flat=True)
        .order_by()
    )
    assert sorted(loads.count(a) for a in set(loads)) == [1, 1, 2]
    call_command("check_event_log")
    assert route_requests([r.pk for r in requests]) == {
        **{r.pk: "nothing to do" for r in requests if r != refused},
        refused.pk: "routed to net; assigned to agent "
        + str(ServiceRequest.objects.get(pk=refused.pk).assignee_id),
    }


def test_round_robin_keeps_turning_within_a_batch(network):
    network.assignment_strategy = "round_robin"
    network.save()
    requests = [submit(CustomerFactory(), subject=f"VPN drops ({i})") for i in range(6)]
    route_requests([r.pk for r in requests])
    assignees = [ServiceRequest.objects.get(pk=r.pk).assignee_id for r in requests]
    assert assignees[:3] == assignees[3:] and len(set(assignees)) == 3


def test_an_instance_locked_in_an_earlier_transaction_is_not_trusted(network):
    request = submit(CustomerFactory(), subject="VPN drops")
    with transaction.atomic():
        locked = services.lock_request(request.pk)
    # Someone else routes it meanwhile.
    services.transition(
        ServiceRequest.objects.get(pk=request.pk),
        "route",
        actor=SYSTEM,
        data=RouteData(department=network),
    )
    with pytest.raises(Conflict):
        services.transition(locked, "route", actor=SYSTEM, data=RouteData(department=network))
    assert [name for _, name in transitions_of(request)] == ["submit", "route"]


def test_a_locked_instance_changed_behind_the_doors_back_is_refused(network):
    """The write is conditional on the version the instance carries, so even a held instance
    that went stale (a raw update in the same transaction) writes nothing over it."""
    request = submit(CustomerFactory(), subject="VPN drops")
    with pytest.raises(Conflict), transaction.atomic():
        locked = services.lock_request(request.pk)
        ServiceRequest.objects.filter(pk=request.pk).update(version=locked.version + 5)
        services.transition(locked, "route", actor=SYSTEM, data=RouteData(department=network))
    assert ServiceRequest.objects.get(pk=request.pk).state == State.NEW


def test_routing_runs_a_fixed_number_of_queries_per_batch_and_per_request(network, settings):
    """Rules, departments, calendars and skills come from the workers' configuration cache.
    Per batch: the requests' lock, their clocks, the agents' lock and load, their last
    assignment, a savepoint around the routes and one around the assignments; per request:
    two row writes and two events (no re-reads)."""
    settings.SERVICEDESK_CONFIG_CACHE_SECONDS = 60
    route_request(submit(CustomerFactory(), subject="VPN drops").pk)  # fills the caches

    def statements(n: int) -> int:
        ids = [submit(CustomerFactory(), subject=f"VPN drops ({i})").pk for i in range(n)]
        with CaptureQueriesContext(connection) as context:
            outcomes = route_requests(ids)
        assert all("assigned" in outcome for outcome in outcomes.values())
        return len(context)

    one, eight = statements(1), statements(8)
    assert one <= 15  # 13 and BEGIN/COMMIT, which are a savepoint inside the test's transaction
    assert eight - one == 7 * 4
