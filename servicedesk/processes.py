"""Running the desk's web server, Celery worker and Celery beat as children of one supervisor."""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# How long children get to finish after SIGTERM: a worker completes its running tasks, and its
# warm shutdown alone takes 5 to 10 s on the filesystem broker, which it polls once a second.
GRACE_SECONDS = 20.0
POLL_SECONDS = 0.2


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def how_it_ended(self) -> str:
        code = self.process.returncode
        if code is not None and code < 0:
            return f"was killed by {signal.Signals(-code).name}"
        return f"exited with code {code}"


def desk_children(
    *, host: str, port: int, base_dir: Path, queues: list[str], beat_schedule: str
) -> list[Child]:
    """The three processes of the embedded desk, run with this interpreter from `base_dir`."""
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "servicedesk"]
    web = [python, str(base_dir / "manage.py"), "runserver", "--noreload", f"{host}:{port}"]
    worker = [*celery, "worker", "-Q", ",".join(queues), "--concurrency", "2", "--loglevel", "INFO"]
    beat = [*celery, "beat", "--schedule", beat_schedule, "--loglevel", "INFO"]
    return [Child("web", web), Child("worker", worker), Child("beat", beat)]


def url_answers(url: str) -> bool:
    """The URL answers 200 (not merely something listening on the port)."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:  # refused, timed out, or an HTTP error status
        return False


class Supervisor:
    """Start children, watch them, and stop them all together.

    Each child runs in a process group of its own, so a signal to the supervisor's group
    (Ctrl-C in a terminal, `kill -- -PGID`) reaches only the supervisor, which then stops the
    children one signal each: a worker's pool processes are never killed under it. On Linux a
    child also gets SIGTERM if the supervisor dies without cleaning up (PR_SET_PDEATHSIG).
    """

    def __init__(self, children: list[Child], *, cwd: Path, say: Callable[[str], None]):
        self.children = children
        self.cwd = cwd
        self.say = say
        self.stop_signal: int | None = None
        self.hurry = False

    def run(self, *, ready: Callable[[], bool], on_ready: Callable[[], None]) -> Child | None:
        """Run until a signal (returns None) or until a child exits by itself (returns it).

        `on_ready` runs once, as soon as `ready()` is true.
        """
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        dead = None
        try:
            self._start_all()
            announced = False
            while self.stop_signal is None:
                dead = next((c for c in self.children if not c.running), None)
                if dead is not None:
                    break
                if not announced and ready():
                    on_ready()
                    announced = True
                time.sleep(POLL_SECONDS)
            if dead is None:
                self.say(f"Got {signal.Signals(self.stop_signal).name}: stopping the desk.")
            else:
                self.say(f"The {dead.name} process {dead.how_it_ended}: stopping the others.")
        finally:
            self._stop_all()
        return dead

    def _on_signal(self, signum, frame) -> None:
        # A second Ctrl-C kills at once. Not a second SIGTERM: make forwards the one it gets
        # to us, so `kill -- -PGID` on `make run` brings two within a millisecond.
        if self.stop_signal is not None and signum == signal.SIGINT:
            self.hurry = True
        self.stop_signal = self.stop_signal or signum

    def _start_all(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for child in self.children:
            child.process = subprocess.Popen(
                child.argv,
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                process_group=0,
                # Safe here: the supervisor runs no threads that could hold a lock at fork.
                preexec_fn=_die_with_parent(),
            )

    def _stop_all(self) -> None:
        started = [c for c in self.children if c.process is not None]
        for child in started:
            if child.running:
                child.process.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        while any(c.running for c in started) and time.monotonic() < deadline and not self.hurry:
            time.sleep(0.1)
        for child in started:
            if child.running:
                self.say(f"The {child.name} process did not stop in time: killing it.")
                # The whole group: a worker's pool processes go with it.
                os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()
            # What a child left behind when it died (a pool whose worker was killed).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)


def _die_with_parent() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to send the child SIGTERM when the supervisor dies."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    parent = os.getpid()

    def hook() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:  # the supervisor died before prctl took effect
            os._exit(1)

    return hook
