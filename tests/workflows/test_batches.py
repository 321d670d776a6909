"""The routing batch task re-arms its flush timer on a new consumer (after a broker reconnect);
the private name of celery-batches it relies on is still there."""

import contextlib
import inspect
from types import SimpleNamespace

from celery_batches import Batches

from workflows import tasks
from workflows.batches import ReconnectingBatches


def test_celery_batches_still_arms_its_timer_through_tref():
    # If this fails, celery-batches changed how it keeps its flush timer: see workflows/batches.py.
    assert "self._tref is None" in inspect.getsource(Batches.Strategy)


def test_a_new_consumer_forgets_the_old_timer():
    task = tasks.route_request
    assert isinstance(task, ReconnectingBatches)
    task._tref = object()  # the timer of a consumer that lost its connection

    class Consumer:
        hostname, event_dispatcher, connection_errors = "w", None, ()
        timer = controller = None
        pool = None

    # The stand-in lacks what the rest of Strategy may read; the reset comes first.
    with contextlib.suppress(AttributeError):
        task.Strategy(task, task.app, Consumer())
    assert task._tref is None


def test_a_batch_of_many_ids_is_routed_a_bounded_part_at_a_time(monkeypatch):
    """After an outage a batch may carry thousands of ids (held sends, the sweep's): each part
    commits on its own instead of one transaction holding the agents' locks until the end."""
    parts = []

    def route_batch(ids):
        parts.append(ids)
        return dict.fromkeys(ids, "routed")

    monkeypatch.setattr(tasks.routing, "route_batch", route_batch)
    messages = [
        SimpleNamespace(kwargs={"request_ids": list(range(1, 71))}),
        SimpleNamespace(kwargs={"request_ids": list(range(60, 121))}),
        SimpleNamespace(kwargs={"request_id": 121}),
    ]
    outcomes = tasks.route_request.run(messages)
    assert [len(p) for p in parts] == [50, 50, 21]
    assert sorted(outcomes) == [i for p in parts for i in p] == list(range(1, 122))
