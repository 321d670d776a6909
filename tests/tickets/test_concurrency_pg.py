"""Concurrent transitions on real PostgreSQL: one wins, the other gets a clear conflict."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.core.errors import Conflict, NotAllowed
from apps.eventlog.models import Event
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from tests.paths import Desk

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(request_id: int, attempts: list[tuple[str, object]]) -> list[object]:
    """Run each (transition, actor) in its own thread on its own connection, all released at
    once from a copy of the request loaded before any of them ran; return result or error."""
    copies = [ServiceRequest.objects.get(pk=request_id) for _ in attempts]
    barrier = threading.Barrier(len(attempts))
    results: list[object] = [None] * len(attempts)

    def run(i: int, name: str, actor) -> None:
        try:
            barrier.wait()
            results[i] = services.transition(copies[i], name, actor=actor)
        except Exception as error:  # the test inspects what each thread got
            results[i] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, name, actor))
        for i, (name, actor) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_concurrent_transitions_one_wins_one_conflicts(customer):
    desk = Desk(customer)
    lead = actor_for_user(desk.lead.user)
    for _ in range(10):  # repeat so that the threads really meet inside the door
        request = desk.request_in("assigned")
        results = _race(request.pk, [("start", lead), ("unassign", SYSTEM)])
        winners = [r for r in results if isinstance(r, ServiceRequest)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1, results
        assert len(losers) == 1 and isinstance(losers[0], Conflict), results
        final = ServiceRequest.objects.get(pk=request.pk)
        assert final.state == winners[0].state
        transitions = list(
            Event.objects.filter(request=request).values_list("transition", flat=True)
        )
        assert transitions[-1] in ("start", "unassign") and len(transitions) == 4
    call_command("check_event_log")


def test_many_threads_on_one_request_leave_a_replayable_log(customer):
    desk = Desk(customer)
    request = desk.request_in("in_progress")
    results = _race(request.pk, [("escalate", SYSTEM)] * 6)
    assert sum(isinstance(r, ServiceRequest) for r in results) == 1
    assert all(isinstance(r, Conflict | NotAllowed | ServiceRequest) for r in results), results
    assert ServiceRequest.objects.get(pk=request.pk).escalation_level == 1
    call_command("check_event_log")
