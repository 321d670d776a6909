"""A web process gathers the requests it submits within the wait into one message per task, and
sends what it holds before it exits."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from workflows import gather

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sent(monkeypatch):
    """What the gatherer sends, recorded instead of going to the broker, with the sending
    thread's name."""
    calls = []

    def record(task_name, **kwargs):
        calls.append((task_name, kwargs, threading.current_thread().name))
        return True

    monkeypatch.setattr(gather, "enqueue", record)
    return calls


def _wait_until_sent(gatherer):
    thread = gatherer._thread
    if thread is not None:
        thread.join(timeout=10)
    assert gatherer._thread is None, "the gathering thread did not end"


def test_ids_gathered_within_the_wait_travel_in_one_message_per_task(sent, settings):
    settings.SERVICEDESK_SUBMIT_GATHER_SECONDS = 0.2
    gatherer = gather.Gatherer()
    for request_id in (1, 2, 3):
        gatherer.add("chatbot.answer_requests", request_id)
    gatherer.add("routing.route_request", 4)
    assert sent == []  # nothing yet: the caller answers without waiting for the broker
    _wait_until_sent(gatherer)
    assert sorted(sent) == [
        ("chatbot.answer_requests", {"request_ids": [1, 2, 3]}, "servicedesk-gather"),
        ("routing.route_request", {"request_ids": [4]}, "servicedesk-gather"),
    ]


def test_a_new_thread_gathers_after_the_last_one_ended(sent, settings):
    settings.SERVICEDESK_SUBMIT_GATHER_SECONDS = 0.01
    gatherer = gather.Gatherer()
    gatherer.add("routing.route_request", 1)
    _wait_until_sent(gatherer)
    gatherer.add("routing.route_request", 2)
    _wait_until_sent(gatherer)
    assert [kwargs for _, kwargs, _ in sent] == [{"request_ids": [1]}, {"request_ids": [2]}]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_thread_that_failed_is_replaced_by_the_next_id(sent, settings, monkeypatch):
    settings.SERVICEDESK_SUBMIT_GATHER_SECONDS = 0.01
    gatherer = gather.Gatherer()
    recorded = gather.enqueue

    def fail_once(task_name, **kwargs):
        monkeypatch.setattr(gather, "enqueue", recorded)
        raise RuntimeError("the broker library broke")

    monkeypatch.setattr(gather, "enqueue", fail_once)
    gatherer.add("routing.route_request", 1)
    _wait_until_sent(gatherer)
    gatherer.add("routing.route_request", 2)
    _wait_until_sent(gatherer)
    assert [kwargs for _, kwargs, _ in sent] == [{"request_ids": [2]}]


def test_no_wait_sends_at_once_in_the_callers_thread(sent, settings):
    settings.SERVICEDESK_SUBMIT_GATHER_SECONDS = 0
    gatherer = gather.Gatherer()
    gatherer.add("routing.route_request", 7)
    assert sent == [("routing.route_request", {"request_ids": [7]}, "MainThread")]
    assert gatherer._thread is None


def test_flush_sends_what_is_gathered_now(sent, settings):
    settings.SERVICEDESK_SUBMIT_GATHER_SECONDS = 60
    gatherer = gather.Gatherer()
    gatherer.add("routing.route_request", 1)
    gatherer.add("routing.route_request", 2)
    assert gatherer.flush() == 2
    assert sent == [("routing.route_request", {"request_ids": [1, 2]}, "MainThread")]


def test_flush_ends_the_gathering_thread(sent, settings):
    settings.SERVICEDESK_SUBMIT_GATHER_SECONDS = 3600
    gatherer = gather.Gatherer()
    gatherer.add("routing.route_request", 1)
    thread = gatherer._thread
    assert thread.is_alive()
    gatherer.flush()
    assert not thread.is_alive()
    assert gatherer._thread is None
    gatherer.add("routing.route_request", 2)  # a new thread gathers the next ids
    assert gatherer.flush() == 1
    assert [kwargs for _, kwargs, _ in sent] == [{"request_ids": [1]}, {"request_ids": [2]}]


def test_ids_not_sent_for_a_broker_failure_are_not_counted(monkeypatch, settings):
    settings.SERVICEDESK_SUBMIT_GATHER_SECONDS = 60
    monkeypatch.setattr(gather, "enqueue", lambda task_name, **kwargs: False)
    gatherer = gather.Gatherer()
    gatherer.add("routing.route_request", 1)
    assert gatherer.flush() == 0


def test_a_forked_child_does_not_send_its_parents_ids(sent, settings, monkeypatch):
    settings.SERVICEDESK_SUBMIT_GATHER_SECONDS = 60
    gatherer = gather.Gatherer()
    gatherer.add("routing.route_request", 1)  # the parent's, in the parent's thread
    monkeypatch.setattr(gather.os, "getpid", lambda: -1)  # now the child
    gatherer.add("routing.route_request", 2)
    assert gatherer.flush() == 1
    assert [kwargs for _, kwargs, _ in sent] == [{"request_ids": [2]}]


EXITING_PROCESS = """
import django
django.setup()
from django.conf import settings
from workflows import gather
settings.SERVICEDESK_SUBMIT_GATHER_SECONDS = {wait}
gather.enqueue = lambda task_name, **kwargs: print("sent", task_name, kwargs, flush=True) or True
gather.gatherer.add("routing.route_request", 41)
gather.gatherer.add("routing.route_request", 42)
print("exiting", flush=True)
"""


# 0.5: the thread has not sent yet when the process exits; 3600: nor does the exit wait for it
# (the thread held the interpreter for the whole wait when it was not a daemon).
@pytest.mark.parametrize("wait", [0.5, 3600])
def test_a_process_that_exits_sends_what_it_holds_first(wait):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servicedesk.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", EXITING_PROCESS.format(wait=wait)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [
        "exiting",
        "sent routing.route_request {'request_ids': [41, 42]}",
    ]
