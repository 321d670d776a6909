"""A worker's database connections terminated on PostgreSQL (pg_terminate_backend) again and
again while it routes a load of API creates: the work is retried and completes, and nothing is
half-written (each request routed and assigned once, the event log replays clean)."""

import threading
import time

import pytest
from django.db import connection

from apps.api.tokens import do_issue_token
from tests.support.faults_load import LoadClient
from tests.support.faults_outcome import (
    assert_each_routed_and_assigned_once,
    record,
    wait_until_assigned,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.slow,
]
CREATES = 100
TERMINATE = """
    SELECT state, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s
"""


class Terminator(threading.Thread):
    """Terminates the named backends every `every` seconds until stopped; counts them, and
    those caught in the middle of a query or transaction."""

    def __init__(self, application_name: str, every: float = 0.4):
        super().__init__(daemon=True)
        self.application_name, self.every = application_name, every
        self.stopped = threading.Event()
        self.terminated = 0
        self.mid_work = 0

    def run(self):
        try:
            while not self.stopped.wait(self.every):
                with connection.cursor() as cursor:
                    cursor.execute(TERMINATE, [self.application_name])
                    states = [state for state, _ in cursor.fetchall()]
                self.terminated += len(states)
                self.mid_work += sum(s in ("active", "idle in transaction") for s in states)
        finally:
            connection.close()


def test_dropped_worker_connections_are_retried_and_nothing_is_half_written(stack, staffed_desk):
    _, customer = staffed_desk
    token = do_issue_token(user=customer.user)[1]
    name = f"sd-fault-worker-{time.monotonic_ns()}"
    stack.start(SERVICEDESK_DB_APPLICATION_NAME=name)
    terminator = Terminator(name)
    terminator.start()
    client = LoadClient(stack.base_url, token)
    started = time.monotonic()
    result = client.run(CREATES, rate=30)
    terminator.stopped.set()
    terminator.join(timeout=10)
    stopped_at = time.monotonic()

    wait_until_assigned(result.references.values())
    recovered_at = time.monotonic()
    figures = assert_each_routed_and_assigned_once(result.references.values())
    assert result.server_errors == 0 and not result.failed_keys, result.figures()
    assert len(result.references) == CREATES
    assert terminator.mid_work >= 1, "no connection was caught mid-work"
    record(
        "database_hiccup",
        {
            **result.figures(),
            **figures,
            "lost": CREATES - len(result.references),
            "backends_terminated": terminator.terminated,
            "terminated_mid_query_or_transaction": terminator.mid_work,
            "load_seconds": round(stopped_at - started, 1),
            "seconds_from_last_termination_to_all_assigned": round(recovered_at - stopped_at, 1),
        },
    )
