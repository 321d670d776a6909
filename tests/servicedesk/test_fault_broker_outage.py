"""Redis stopped during a load of API creates and started again (everything in it lost): the API
answers every create without a 5xx, clients retrying with their Idempotency-Key (after a
timeout, or a lost response) create each request once, and once the broker is back the recovery
sweep routes and assigns everything, once."""

import threading
import time

import pytest

from apps.api.tokens import do_issue_token
from apps.tickets.models import ServiceRequest
from tests.support.faults_load import LoadClient
from tests.support.faults_outcome import (
    assert_each_routed_and_assigned_once,
    record,
    wait_until_assigned,
)
from tests.support.workers import wait_for

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.slow,
]
CREATES = 120
OUTAGE_CREATES = 25  # creates answered while the broker is down
RECOVERY_SECONDS = 30  # from the broker's return to every request assigned


def test_a_broker_outage_loses_and_doubles_nothing(stack, staffed_desk, redis_server):
    _, customer = staffed_desk
    token = do_issue_token(user=customer.user)[1]
    # The recovery sweep on its production timings (settings' defaults), not the fault tests'
    # fast ones: everything is routed and assigned within 30 s of the broker's return.
    stack.env.update(SERVICEDESK_STUCK_NEW_SECONDS="10", SERVICEDESK_RECOVERY_SWEEP_SECONDS="10")
    stack.start()
    # Every fifth create is sent twice, as by a client that lost the response; every fifth
    # other one times out on its first call and is retried with the same key.
    client = LoadClient(stack.base_url, token, resend_every=5, impatient_every=5)
    load = threading.Thread(target=client.run, args=(CREATES,), kwargs={"rate": 30})
    load.start()

    wait_for(lambda: client.progress >= 30, timeout=60, what="30 creates before the outage")
    down_at, answered_before = time.monotonic(), client.progress
    redis_server.stop()
    wait_for(
        lambda: client.progress >= answered_before + OUTAGE_CREATES,
        timeout=90,
        what=f"the API to go on answering creates with the broker down ({answered_before} before)",
    )
    redis_server.start()
    up_at = time.monotonic()
    load.join(timeout=180)
    assert not load.is_alive(), "the load client did not finish"

    result = client.result
    wait_until_assigned(result.references.values())
    recovered_at = time.monotonic()
    assert recovered_at - up_at <= RECOVERY_SECONDS, round(recovered_at - up_at, 1)
    figures = assert_each_routed_and_assigned_once(result.references.values())
    assert result.server_errors == 0 and not result.failed_keys, result.figures()
    assert len(result.references) == CREATES == ServiceRequest.objects.count()
    # Every resent create was replayed, and every retry after a timeout too (or its first
    # call had not reached the server): none created a second request.
    assert result.timeouts >= CREATES // 5 and result.replayed >= CREATES // 5
    assert "Could not enqueue" in stack.api.log_path.read_text()
    record(
        "broker_outage",
        {
            **result.figures(),
            **figures,
            "lost": CREATES - len(result.references),
            "outage_seconds": round(up_at - down_at, 1),
            "seconds_from_broker_back_to_all_assigned": round(recovered_at - up_at, 1),
        },
    )
