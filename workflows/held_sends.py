"""Sends this process could not make, made again as soon as the broker answers.

`workflows.enqueue.enqueue` never fails its caller: a publish that fails (or is not tried, in
the pause after a failure) is held here, and a thread of this process tries the broker again
every `SERVICEDESK_ENQUEUE_RETRY_SECONDS` until it takes them all. So work that a web process or
a worker could not send during a broker outage reaches the workers within about that interval of
the broker's return, without waiting for a sweep (docs/reliability.md). Routing-like messages
(`request_ids=[...]`) of one task are merged into one.

What it does not cover: a process that dies holding sends (killed, restarted, a Celery pool
child replaced) loses them; the recovery sweeps find that work in the database
(`workflows/sweeps.py`, the webhook feed and delivery sweep, the unsent-notification sweep).
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
                # Copies: ids merged in while this round sends are kept for the next one.
                waiting = [(key, (name, dict(kw))) for key, (name, kw) in self._held.items()]
                if not waiting:
                    self._thread = None
                    return
            sent = 0
            for key, (task_name, kwargs) in waiting:
                if not publish(task_name, kwargs, again=True):
                    break  # the broker is still away: try again after the interval
                sent += 1
                with self._lock:
                    now = self._held.get(key)
                    if now is not None and now[1] == kwargs:
                        del self._held[key]
                    elif now is not None:
                        ids = set(kwargs.get("request_ids", []))
                        rest = [i for i in now[1]["request_ids"] if i not in ids]
                        now[1]["request_ids"] = rest
                        if not rest:
                            del self._held[key]
            if sent:
                logger.info("Sent %s held message(s) now that the broker answers", sent)


held_sends = HeldSends()
