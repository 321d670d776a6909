"""After a failed publish a process answers at once for the pause instead of waiting on a broker
that is down, and tries the broker again after it."""

import pytest

from workflows import enqueue as enqueue_module


class FlakyBroker:
    """Stands in for `app.send_task`: fails while `down`, counts every call."""

    def __init__(self):
        self.down = True
        self.calls = 0

    def send_task(self, name, kwargs):
        self.calls += 1
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def broker(monkeypatch, settings):
    settings.SERVICEDESK_ENQUEUE_PAUSE_SECONDS = 5
    settings.SERVICEDESK_ENQUEUE_RETRY_SECONDS = 0  # held sends: tests/workflows/test_held_sends.py
    flaky = FlakyBroker()
    monkeypatch.setattr(enqueue_module.app, "send_task", flaky.send_task)
    monkeypatch.setattr(enqueue_module, "_paused_until", 0.0)
    clock = {"now": 1000.0}
    monkeypatch.setattr(enqueue_module, "monotonic", lambda: clock["now"])
    flaky.clock = clock
    return flaky


def test_after_a_failure_nothing_is_tried_until_the_pause_ends(broker, caplog):
    assert enqueue_module.enqueue("routing.route_request", request_id=1) is False
    assert enqueue_module.enqueue("routing.route_request", request_id=2) is False
    assert broker.calls == 1
    assert "Could not enqueue routing.route_request {'request_id': 2}" in caplog.text

    broker.down = False
    broker.clock["now"] += 4.9
    assert enqueue_module.enqueue("routing.route_request", request_id=3) is False
    broker.clock["now"] += 0.2
    assert enqueue_module.enqueue("routing.route_request", request_id=4) is True
    assert enqueue_module.enqueue("routing.route_request", request_id=5) is True
    assert broker.calls == 3


def test_without_a_pause_every_call_tries_the_broker(broker, settings):
    settings.SERVICEDESK_ENQUEUE_PAUSE_SECONDS = 0
    assert not enqueue_module.enqueue("routing.route_request", request_id=1)
    broker.down = False
    assert enqueue_module.enqueue("routing.route_request", request_id=2)
    assert broker.calls == 2
