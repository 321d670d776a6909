"""What a process could not send is sent again by the process as soon as the broker answers,
without waiting for a sweep; routing ids held for one task travel in one message."""

import threading

import pytest

from tests.support.workers import wait_for
from workflows import enqueue as enqueue_module
from workflows.held_sends import HeldSends


class FlakyBroker:
    """Stands in for `app.send_task`: fails while `down`, keeps what it took."""

    def __init__(self):
        self.down = True
        self.taken: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    def send_task(self, name, kwargs):
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        with self.lock:
            self.taken.append((name, kwargs))


@pytest.fixture
def broker(monkeypatch, settings):
    settings.SERVICEDESK_ENQUEUE_PAUSE_SECONDS = 5
    settings.SERVICEDESK_ENQUEUE_RETRY_SECONDS = 0.05
    flaky = FlakyBroker()
    monkeypatch.setattr(enqueue_module.app, "send_task", flaky.send_task)
    monkeypatch.setattr(enqueue_module, "_paused_until", 0.0)
    held = HeldSends()
    monkeypatch.setattr(enqueue_module, "held_sends", held)
    yield flaky
    flaky.down = False
    wait_for(lambda: held.count() == 0, timeout=5, every=0.05, what="the held sends to drain")


def test_what_failed_is_sent_once_the_broker_answers(broker, caplog):
    assert not enqueue_module.enqueue("notifications.send_email", notification_id=7)
    assert not enqueue_module.enqueue("routing.route_request", request_ids=[1, 2])
    assert not enqueue_module.enqueue("routing.route_request", request_ids=[2, 3])
    assert not enqueue_module.enqueue("notifications.send_email", notification_id=7)
    assert enqueue_module.held_sends.count() == 2  # the same e-mail once; the ids merged
    assert "held to send again" in caplog.text

    broker.down = False
    wait_for(lambda: len(broker.taken) == 2, timeout=5, every=0.05, what="the held sends")
    assert sorted(broker.taken) == [
        ("notifications.send_email", {"notification_id": 7}),
        ("routing.route_request", {"request_ids": [1, 2, 3]}),
    ]
    # The pause ended with the first send that went through: the next send goes at once.
    assert enqueue_module.enqueue("routing.route_request", request_ids=[4])
    assert enqueue_module.held_sends.count() == 0


def test_nothing_is_held_when_retrying_is_off(broker, settings):
    settings.SERVICEDESK_ENQUEUE_RETRY_SECONDS = 0
    assert not enqueue_module.enqueue("routing.route_request", request_ids=[1])
    assert enqueue_module.held_sends.count() == 0


def test_a_long_list_of_ids_goes_out_in_parts(broker):
    assert not enqueue_module.enqueue("routing.route_request", request_ids=list(range(120)))
    broker.down = False
    wait_for(lambda: len(broker.taken) == 3, timeout=5, every=0.05, what="the held sends")
    parts = [kwargs["request_ids"] for _, kwargs in broker.taken]
    assert parts == [list(range(50)), list(range(50, 100)), list(range(100, 120))]
