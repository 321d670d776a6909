"""Sends this process could not make, made again as soon as the broker answers.

`workflows.enqueue.enqueue` never fails its caller: a publish that fails (or is not tried, in
the pause after a failure) is held here, and a thread of this process tries the broker again
every `SERVICEDESK_ENQUEUE_RETRY_SECONDS` until it takes them all. So work that a web process or
a worker could not send during a broker outage reaches the workers within about that interval of
the broker's return, without waiting for a sweep (docs/reliability.md). Routing-like messages
(`request_ids=[...]`) of one task are merged, and sent again in parts of IDS_PER_MESSAGE.

What it does not cover: a process that dies holding sends (killed, restarted, a Celery pool
child replaced) loses them; the recovery sweeps find that work in the database
(`workflows/sweeps.py`, the webhook feed and delivery sweep, the notices feed, the
unsent-notification sweep).
Every task sent here is one that may run twice, as all of ours are."""

import json
import logging
import os
import threading
import time
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)


class Publish(Protocol):
    def __call__(self, task_name: str, kwargs: dict, *, again: bool = ...) -> bool: ...


# At most this many distinct sends are held (request ids merged count once per task); beyond it
# new failures are left to the sweeps.
MAX_HELD = 10_000
IDS_PER_MESSAGE = 50


class HeldSends:
    """One per process: what to send again, and the thread that sends it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[tuple[str, str], tuple[str, dict]] = {}
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def hold(self, task_name: str, kwargs: dict, publish: Publish) -> None:
        """Keep `task_name(**kwargs)` to send again with `publish` (True once it is sent)."""
        interval = settings.SERVICEDESK_ENQUEUE_RETRY_SECONDS
        if interval <= 0:
            return  # the sweeps alone
        with self._lock:
            self._forget_the_parents()
            if not self._merge(task_name, kwargs):
                if len(self._held) >= MAX_HELD:
                    logger.warning("Too many sends held; %s is left to the sweeps", task_name)
                    return
                key = (task_name, json.dumps(kwargs, sort_keys=True, default=str))
                self._held[key] = (task_name, dict(kwargs))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._send_until_empty,
                    args=(interval, publish),
                    name="servicedesk-held-sends",
                    daemon=True,
                )
                self._thread.start()

    def count(self) -> int:
        with self._lock:
            return len(self._held)

    def _merge(self, task_name: str, kwargs: dict) -> bool:
        """Add the ids of a `request_ids` send to the one held for the same task, if any."""
        if set(kwargs) != {"request_ids"}:
            return False
        key = (task_name, "request_ids")
        _, held = self._held.setdefault(key, (task_name, {"request_ids": []}))
        held["request_ids"] = list(dict.fromkeys([*held["request_ids"], *kwargs["request_ids"]]))
        return True

    def _forget_the_parents(self) -> None:
        """In a forked child, what it inherited is its parent's to send."""
        if self._pid != os.getpid():
            self._held, self._thread, self._pid = {}, None, os.getpid()

    def _send_until_empty(self, interval: float, publish: Publish) -> None:
        while True:
            time.sleep(interval)
            with self._lock:
                # Requests waiting for their first step (`request_ids`: routing, the chatbot)
                # go first; the notices and webhooks about them after.
                waiting = sorted(
                    (
                        (key, name, part)
                        for key, (name, kwargs) in self._held.items()
                        for part in _parts(kwargs)
                    ),
                    key=lambda item: "request_ids" not in item[2],
                )
                if not waiting:
                    self._thread = None
                    return
            sent = 0
            for key, task_name, kwargs in waiting:
                if not publish(task_name, kwargs, again=True):
                    break  # the broker is still away: try again after the interval
                sent += 1
                with self._lock:
                    self._forget(key, kwargs)
            if sent:
                logger.info("Sent %s held message(s) now that the broker answers", sent)

    def _forget(self, key: tuple[str, str], sent: dict) -> None:
        """Drop what was sent; ids merged in since stay held for the next round."""
        held = self._held.get(key)
        if held is None:
            return
        if "request_ids" not in sent or set(held[1]) != {"request_ids"}:
            del self._held[key]
            return
        done = set(sent["request_ids"])
        rest = [pk for pk in held[1]["request_ids"] if pk not in done]
        if rest:
            held[1]["request_ids"] = rest
        else:
            del self._held[key]


def _parts(kwargs: dict) -> list[dict]:
    """The messages a held send goes out as: ids in parts of IDS_PER_MESSAGE, so that a
    backlog is shared by every worker process (each part is one transaction there)."""
    if set(kwargs) != {"request_ids"}:
        return [dict(kwargs)]
    ids = kwargs["request_ids"]
    return [
        {"request_ids": ids[start : start + IDS_PER_MESSAGE]}
        for start in range(0, len(ids), IDS_PER_MESSAGE)
    ]


held_sends = HeldSends()
