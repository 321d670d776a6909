"""A Celery worker killed (SIGKILL) mid-work under a steady load of API creates, then restarted:
every request is routed and assigned exactly once, and the event log replays clean."""

import os
import signal
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


def test_a_worker_killed_mid_work_loses_and_doubles_nothing(stack, staffed_desk):
    _, customer = staffed_desk
    token = do_issue_token(user=customer.user)[1]
    first = stack.start()
    client = LoadClient(stack.base_url, token)
    load = threading.Thread(target=client.run, args=(CREATES,), kwargs={"rate": 40})
    load.start()

    # Kill it while it works: some requests routed, more arriving.
    wait_for(
        lambda: ServiceRequest.objects.filter(assignee__isnull=False).count() >= 20,
        timeout=60,
        what="the first worker to assign some requests",
    )
    os.killpg(first.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    first.wait(timeout=10)
    unassigned_at_kill = ServiceRequest.objects.filter(assignee__isnull=True).count()
    time.sleep(1)  # creates go on arriving with no worker at all
    restarted_at = time.monotonic()
    stack.start_worker("restarted")
    ready_at = time.monotonic()
    load.join(timeout=120)
    assert not load.is_alive(), "the load client did not finish"

    result = client.result
    wait_until_assigned(result.references.values())
    recovered_at = time.monotonic()
    figures = assert_each_routed_and_assigned_once(result.references.values())
    assert result.server_errors == 0 and not result.failed_keys, result.figures()
    assert len(result.references) == CREATES == ServiceRequest.objects.count()
    record(
        "worker_killed",
        {
            **result.figures(),
            **figures,
            "lost": CREATES - len(result.references),
            "unassigned_when_killed": unassigned_at_kill,
            "seconds_from_kill_to_all_assigned": round(recovered_at - killed_at, 1),
            "seconds_from_restart_to_all_assigned": round(recovered_at - restarted_at, 1),
            "seconds_for_the_new_worker_to_start": round(ready_at - restarted_at, 1),
        },
    )
