"""Concurrent assignment on real PostgreSQL: capacity holds, each request is assigned once."""

import random
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.accounts.models import Availability
from apps.core.errors import Conflict
from apps.eventlog.models import Event
from apps.lifecycle.states import WORKING, State
from apps.routing.selection import lock_pool
from apps.tickets.models import ServiceRequest
from tests.factories import (
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    DepartmentFactory,
    drive,
    submit,
)
from workflows import receivers
from workflows.assignment import assign_request
from workflows.routing import route_requests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 3


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    # The receivers run on commit here; the tasks they would send are not what is tested.
    monkeypatch.setattr(receivers, "enqueue", lambda name, **kwargs: True)


def queued(department):
    return drive(submit(CustomerFactory()), ("route", {"department": department}, SYSTEM))


def _hammer(request_ids: list[int]) -> tuple[list[str], list[Exception]]:
    """Every thread calls assign_request on every request, in its own shuffled order, several
    times over, all released at once; return what they got back and what they raised."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def run(seed: int) -> None:
        order = random.Random(seed)
        try:
            barrier.wait()
            for _ in range(ROUNDS):
                ids = list(request_ids)
                order.shuffle(ids)
                for request_id in ids:
                    try:
                        outcome = assign_request(request_id)
                    except Exception as error:  # the test asserts which kinds these are
                        with lock:
                            errors.append(error)
                    else:
                        with lock:
                            outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return outcomes, errors


def test_concurrent_assignment_respects_capacity_and_assigns_each_request_once():
    department = DepartmentFactory()
    agents = [AgentFactory(departments=[department], capacity=2) for _ in range(3)]
    AgentFactory(departments=[department], capacity=2, availability=Availability.OFFLINE)
    requests = [queued(department) for _ in range(20)]
    ids = [r.pk for r in requests]

    outcomes, errors = _hammer(ids)

    assert all(isinstance(error, Conflict) for error in errors), errors
    assert sum(o.startswith("assigned") for o in outcomes) == 6, outcomes
    loads = dict(
        ServiceRequest.objects.filter(state__in=WORKING)
        .values_list("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
    assert loads == {agent.pk: 2 for agent in agents}
    assigned = ServiceRequest.objects.filter(pk__in=ids, assignee__isnull=False)
    assert assigned.count() == 6
    assert set(assigned.values_list("state", flat=True)) == {State.ASSIGNED}
    assign_events = dict(
        Event.objects.filter(request__in=ids, transition="assign")
        .values_list("request")
        .annotate(n=Count("pk"))
        .values_list("request", "n")
    )
    assert assign_events == {pk: 1 for pk in assigned.values_list("pk", flat=True)}
    waiting = ServiceRequest.objects.filter(pk__in=ids, assignee__isnull=True)
    assert waiting.count() == 14
    assert set(waiting.values_list("state", flat=True)) == {State.QUEUED}
    call_command("check_event_log")


def test_agents_locked_for_an_assignment_do_not_block_work_on_their_requests():
    """While a worker holds the department's agents, a lead can still give one of them a
    request (the foreign-key check only shares the agent's key)."""
    department = DepartmentFactory()
    agent = AgentFactory(departments=[department])
    by_hand = queued(department)
    results: list[object] = []

    def assign_by_hand() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '10s'")
            results.append(drive(by_hand, ("assign", {"assignee": agent}, SYSTEM)).assignee_id)
        except Exception as error:  # the test inspects it
            results.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        pool = lock_pool([department], timezone.now())
        assert [c.agent_id for c in pool.candidates(department.pk)] == [agent.pk]
        thread = threading.Thread(target=assign_by_hand)
        thread.start()
        thread.join(timeout=60)
    assert results == [agent.pk]
    call_command("check_event_log")


def test_concurrent_routing_batches_respect_capacity_and_route_each_request_once():
    """Workers' batches overlap (redelivered messages, batches cut differently): each thread
    routes the same new requests in overlapping batches of its own, several departments at
    once. Requests and agents are locked in id order, so nobody deadlocks, no agent goes over
    capacity, and every request is routed once and assigned at most once."""
    departments = [DepartmentFactory(assignment_strategy="least_loaded") for _ in range(2)]
    capacity = {}
    for department in departments:
        for _ in range(2):
            capacity[AgentFactory(departments=[department], capacity=3).pk] = 3
    shared = AgentFactory(departments=departments, capacity=2)  # in both departments
    capacity[shared.pk] = 2
    triage = departments[0]
    triage.is_triage = True
    triage.save()
    ids = [submit(CustomerFactory(), subject=f"Request {i}").pk for i in range(40)]
    # Half the requests go to the second department by category.
    category = CategoryFactory(default_department=departments[1])
    ServiceRequest.objects.filter(pk__in=ids[::2]).update(category=category)
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []

    def run(seed: int) -> None:
        order = random.Random(seed)
        try:
            barrier.wait()
            shuffled = list(ids)
            order.shuffle(shuffled)
            size = order.randint(3, 12)
            for start in range(0, len(shuffled), size):
                route_requests(shuffled[start : start + size])
        except Exception as error:  # the test asserts there are none
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    assert errors == []
    loads = dict(
        ServiceRequest.objects.filter(state__in=WORKING)
        .values_list("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
    assert loads == capacity  # every slot filled, none over
    per_request = dict(
        Event.objects.filter(request__in=ids, transition__in=["route", "assign"])
        .values_list("request")
        .annotate(n=Count("pk"))
        .values_list("request", "n")
    )
    assert set(ServiceRequest.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        State.ASSIGNED,
        State.QUEUED,
    }
    assigned = set(
        ServiceRequest.objects.filter(pk__in=ids, state=State.ASSIGNED).values_list("pk", flat=True)
    )
    assert per_request == {pk: 2 if pk in assigned else 1 for pk in ids}
    call_command("check_event_log")
