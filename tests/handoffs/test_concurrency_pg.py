"""Two agents accepting one handoff at the same moment: one wins, the other gets a Conflict."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from apps.core.errors import Conflict
from apps.handoffs.models import Handoff
from apps.handoffs.services import do_accept_handoff, do_request_handoff
from apps.tickets.models import ServiceRequest
from tests.handoffs.conftest import Org

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(handoff_id: int, actors) -> list[object]:
    copies = [Handoff.objects.get(pk=handoff_id) for _ in actors]
    barrier = threading.Barrier(len(actors))
    results: list[object] = [None] * len(actors)

    def run(i: int, actor) -> None:
        try:
            barrier.wait()
            results[i] = do_accept_handoff(copies[i], actor=actor)
        except Exception as error:  # the test inspects what each thread got
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("kind", ["transfer", "consult"])
def test_two_agents_accept_at_once(customer, kind):
    org = Org(customer)
    for _ in range(5):  # repeat so that the threads really meet
        request = org.request_in_progress()
        handoff = do_request_handoff(
            request,
            actor=org.it.agent_actor,
            kind=kind,
            to_department=org.finance.department,
            reason="race",
        )
        results = _race(handoff.pk, [org.finance.agent_actor, org.finance.lead_actor])
        assert sum(isinstance(r, Handoff) for r in results) == 1, results
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        expected = org.finance.department if kind == "transfer" else org.it.department
        assert ServiceRequest.objects.get(pk=request.pk).department == expected
    call_command("check_event_log")
