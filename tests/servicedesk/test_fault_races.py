"""Conflicting actions on the same requests at the same moment, by agents and customers through
the API (each sending the version it saw) and by worker code: no corrupt state, every API loser
gets a 409, at most one of them wins, and the event log replays for every request."""

import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from apps.accounts.models import Agent
from apps.eventlog.models import Event
from apps.handoffs.models import OPEN, Handoff
from apps.lifecycle.states import State
from apps.tickets.models import ServiceRequest
from tests.paths import Desk
from tests.support.api import client_for
from workflows.assignment import requeue_offline_agent
from workflows.routing import route_requests

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]
REQUESTS_EACH = 8
CLOSED = {State.RESOLVED, State.CLOSED, State.CANCELLED}


@pytest.fixture(autouse=True)
def _no_throttles(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


def race(calls) -> list:
    """Run every call in its own thread (its own connection), all released at once."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # inspected by the test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def api(client, request, tail: str, body: dict):
    """A POST as a UI would send it: with the version the caller saw."""
    body = {**body, "version": request.version} if "transitions/" in tail else body
    return lambda: (
        client.post(f"/api/v1/requests/{request.reference}/{tail}", body, format="json").status_code
    )


def assert_one_api_winner_at_most(results: list, statistics: Counter) -> None:
    statuses = [r for r in results if isinstance(r, int)]
    assert all(s in (200, 201, 204, 409) for s in statuses), results
    assert sum(s != 409 for s in statuses) <= 1, results
    statistics.update(statuses)


@pytest.fixture
def desk(customer):
    desk = Desk(customer)
    desk.clients = {
        "lead": client_for(desk.lead.user),
        "customer": client_for(customer.user),
    }
    return desk


def test_agents_customers_and_workers_racing_leave_consistent_requests(desk):
    lead, customer = desk.clients["lead"], desk.clients["customer"]
    other = desk.other_department.pk
    statistics: Counter = Counter()

    # New requests: the routing worker's batch against an agent routing by hand and the
    # customer cancelling.
    fresh = [desk.request_in(State.NEW) for _ in range(REQUESTS_EACH)]
    ids = [r.pk for r in fresh]
    for request in fresh:
        results = race(
            [
                lambda: route_requests(ids),
                api(lead, request, "transitions/route/", {"department": other}),
                api(customer, request, "transitions/cancel/", {}),
            ]
        )
        assert_one_api_winner_at_most(results[1:], statistics)
        assert not isinstance(results[0], Exception), results

    # Assigned requests: the lead starts, escalates or hands back while the worker requeues
    # the requests of the (now offline) lead and the customer cancels.
    held = [desk.request_in(State.ASSIGNED) for _ in range(REQUESTS_EACH)]
    Agent.objects.filter(pk=desk.lead.pk).update(availability="offline")
    for request in held:
        results = race(
            [
                lambda: requeue_offline_agent(desk.lead.pk),
                api(lead, request, "transitions/start/", {}),
                api(lead, request, "transitions/escalate/", {}),
                api(lead, request, "transitions/unassign/", {}),
                api(customer, request, "transitions/cancel/", {}),
            ]
        )
        assert_one_api_winner_at_most(results[1:], statistics)
        assert not isinstance(results[0], Exception), results

    # Requests in progress: a handoff asked for while the lead resolves and the customer
    # cancels.
    working = [desk.request_in(State.IN_PROGRESS) for _ in range(REQUESTS_EACH)]
    handoff = {"kind": "consult", "to_department": other, "reason": "Need their view"}
    for request in working:
        results = race(
            [
                api(lead, request, "handoffs/", handoff),
                api(lead, request, "transitions/resolve/", {}),
                api(lead, request, "transitions/request_info/", {}),
                api(customer, request, "transitions/cancel/", {}),
            ]
        )
        assert all(r in (200, 201, 204, 409) for r in results), results
        assert sum(r in (200, 204) for r in results[1:]) <= 1, results
        statistics.update(results)

    everything = fresh + held + working
    for request in everything:
        current = ServiceRequest.objects.get(pk=request.pk)
        open_handoffs = Handoff.objects.filter(request=current, state__in=OPEN).count()
        assert not (current.state in CLOSED and open_handoffs), (current.state, open_handoffs)
        assert Event.objects.filter(request=current).count() == current.last_event_seq
    call_command("check_event_log")
    print(f"\nraces: {len(everything)} requests, API answers {dict(statistics)}")
