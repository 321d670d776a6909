"""Gathering: the requests a process submits within a few milliseconds travel to the workers in
one message.

A Celery publish costs the web worker about a millisecond, a sixth of a whole create
(docs/performance.md). So after commit a submit hands its request's id to this process's
gatherer and answers; the gatherer's thread waits `SERVICEDESK_SUBMIT_GATHER_SECONDS` from the
first id, then sends one message per task with every id gathered meanwhile
(`request_ids=[...]`), and goes on so while ids come; it ends after a wait that gathered none.

What it trades: up to that wait before the workers see a new request; and ids gathered but not
yet sent die with a process killed hard (SIGKILL, a crash): the recovery sweep dispatches those
requests after `SERVICEDESK_STUCK_NEW_SECONDS`. A process that exits normally sends what it holds
first: an `atexit` handler flushes the process's gatherer. The thread is a daemon, so it never
holds up an exit, and `flush()` ends it. Only web processes submit; a Celery worker child is
ended with `os._exit`, which runs no `atexit` handler, so the workers' own transitions are sent
at once (workflows/receivers.py)."""

import atexit
import logging
import os
import threading

from django.conf import settings

from workflows.enqueue import enqueue

logger = logging.getLogger(__name__)


class Gatherer:
    """One per process: ids by task name, and the thread that sends them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: dict[str, list[int]] = {}
        self._thread: threading.Thread | None = None
        # Set (under the lock) when the thread is to end: `flush()` took what it would send.
        self._flushed = threading.Event()
        self._pid = os.getpid()

    def add(self, task_name: str, request_id: int) -> None:
        """Send `task_name` for `request_id` with the others gathered within the wait (at once
        when the wait is 0)."""
        wait = settings.SERVICEDESK_SUBMIT_GATHER_SECONDS
        if wait <= 0:
            enqueue(task_name, request_ids=[request_id])
            return
        with self._lock:
            self._forget_the_parents()
            self._ids.setdefault(task_name, []).append(request_id)
            if self._thread is None:
                self._flushed = threading.Event()
                self._thread = threading.Thread(
                    target=self._send_while_gathering,
                    args=(wait, self._flushed),
                    name="servicedesk-gather",
                    daemon=True,
                )
                self._thread.start()

    def flush(self) -> int:
        """Send what is gathered now, in the caller's thread, and end the gathering thread;
        return how many ids were sent. The next id starts a new thread."""
        with self._lock:
            self._forget_the_parents()
            gathered, self._ids = self._ids, {}
            thread, self._thread = self._thread, None
            self._flushed.set()
        sent = self._send(gathered)
        if thread is not None and thread is not threading.current_thread():
            # It wakes at once; a send it began before it saw the flush finishes first (at exit
            # nothing else would wait for a daemon thread). enqueue() gives up within seconds.
            thread.join(timeout=10)
        return sent

    def _forget_the_parents(self) -> None:
        """In a forked child, the ids and the thread it inherited are its parent's."""
        if self._pid != os.getpid():
            self._ids, self._thread, self._pid = {}, None, os.getpid()

    def _send_while_gathering(self, wait: float, flushed: threading.Event) -> None:
        try:
            while not flushed.wait(wait):
                with self._lock:
                    if flushed.is_set():
                        return
                    gathered, self._ids = self._ids, {}
                    if not gathered:
                        self._thread = None
                        return
                self._send(gathered)
        except BaseException:
            # Whatever ended the thread (enqueue() itself never raises), the next id starts a
            # new one; what this one held is the recovery sweep's.
            logger.exception("the gathering thread failed; a sweep will dispatch what it held")
            with self._lock:
                if not flushed.is_set():
                    self._thread = None
            raise

    @staticmethod
    def _send(gathered: dict[str, list[int]]) -> int:
        sent = 0
        for task_name, request_ids in gathered.items():
            # enqueue() logs and returns False on a broker failure: the sweep re-dispatches.
            if enqueue(task_name, request_ids=request_ids):
                sent += len(request_ids)
        return sent


gatherer = Gatherer()
# At a normal exit, after the main thread has ended and before the interpreter finalizes. A
# process that only sends tasks gets no atexit handler from Celery or kombu (only a worker does),
# so the broker connection still works here.
atexit.register(gatherer.flush)
