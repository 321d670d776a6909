"""Two merges crossing each other on real PostgreSQL (A into B while B into A): both rows are
locked in id order, so neither deadlocks; one merges, the other is refused; the logs replay."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from apps.accounts.actors import actor_for_user
from apps.core.errors import Conflict, NotAllowed
from apps.tickets.merging import do_merge_requests
from apps.tickets.models import ServiceRequest
from tests.paths import Desk

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _cross(pairs: list[tuple[int, int]], actor) -> list[object]:
    """Merge each (duplicate, target) pair in its own thread, released at once."""
    barrier = threading.Barrier(len(pairs))
    results: list[object] = [None] * len(pairs)

    def run(i: int) -> None:
        duplicate_pk, target_pk = pairs[i]
        try:
            duplicate = ServiceRequest.objects.get(pk=duplicate_pk)
            barrier.wait()
            results[i] = do_merge_requests(duplicate, into=target_pk, actor=actor)
        except Exception as error:  # the test inspects what each thread got
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(pairs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_crossing_merges_one_wins_and_nothing_deadlocks(customer):
    desk = Desk(customer)
    lead = actor_for_user(desk.lead.user)
    for _ in range(5):  # repeat so that the threads really meet inside the door
        a, b = desk.request_in("queued"), desk.request_in("queued")
        results = _cross([(a.pk, b.pk), (b.pk, a.pk)], lead)
        winners = [r for r in results if isinstance(r, ServiceRequest)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert isinstance(losers[0], NotAllowed | Conflict), results
        states = sorted(ServiceRequest.objects.filter(pk__in=[a.pk, b.pk]).values_list("state"))
        assert states == [("closed",), ("queued",)]
    call_command("check_event_log")
