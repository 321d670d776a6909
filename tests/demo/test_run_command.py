"""`make run` on a fresh var dir: the web answers, the worker routes the demo requests, and one
SIGTERM to the process group stops everything cleanly."""

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from apps.demo.stories import STORIES

REPO = Path(__file__).resolve().parents[2]
TIME_LIMIT = 120.0
# The child must run the embedded default, whatever the test run itself is pointed at.
STRIPPED = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    # Under `make test` these carry the parent make's jobserver and level into `make run`.
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
}
LEFT_NEW = sum(1 for story in STORIES if not story.steps)


class Desk:
    """The `make run` process group and what it needs to be watched."""

    def __init__(self, tmp_path: Path):
        self.var_dir = tmp_path / "var"
        self.log = tmp_path / "make-run.log"
        self.port = _free_port()
        self.deadline = time.monotonic() + TIME_LIMIT
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in STRIPPED and not k.startswith("SERVICEDESK_TEST")
        }
        self.env.update(SERVICEDESK_VAR_DIR=str(self.var_dir), PORT=str(self.port))
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self) -> str:
        return "\n--- make run output (tail) ---\n" + "\n".join(self.output().splitlines()[-60:])

    def wait_for(self, what: str, check, *, seconds: float, running: bool = True) -> None:
        """Poll `check` until it is true, within `seconds` and the overall time limit; fail at
        once if make ends meanwhile (unless `running` is False)."""
        until = min(time.monotonic() + seconds, self.deadline)
        while time.monotonic() < until:
            if running and self.process.poll() is not None:
                pytest.fail(
                    f"make run ended ({self.process.returncode}) before {what}{self.tail()}"
                )
            if check():
                return
            time.sleep(0.5)
        pytest.fail(f"timed out waiting for {what}{self.tail()}")


@pytest.mark.worker  # `make run` starts a Celery worker (and beat) beside the web
@pytest.mark.slow
def test_make_run_serves_routes_and_stops_cleanly(tmp_path):
    desk = Desk(tmp_path)
    started: set[int] = set()
    with desk.log.open("wb") as log:
        desk.process = subprocess.Popen(
            ["make", "run"],
            cwd=REPO,
            env=desk.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pgid = desk.process.pid
    try:
        desk.wait_for(
            "/healthz to answer 200", lambda: _status(desk.url("/healthz")) == 200, seconds=90
        )
        assert _status(desk.url("/admin/login/")) == 200, desk.tail()

        database = desk.var_dir / "servicedesk.sqlite3"
        desk.wait_for(
            "the worker to answer or route every demo request left in `new`",
            lambda: _routed(database),
            seconds=60,
        )
        assert _count(database, _WORKER_ROUTES) >= LEFT_NEW, desk.tail()
        # The demo's category that requires approval: the worker sent its request to IT's lead.
        assert _count(database, _AWAITING_IVAN) == 1, desk.tail()
        ping = subprocess.run(
            [sys.executable, "-m", "celery", "-A", "servicedesk", "inspect", "ping", "-t", "5"],
            cwd=REPO,
            env=desk.env,
            capture_output=True,
            text=True,
            timeout=max(1.0, min(30.0, desk.deadline - time.monotonic())),
        )
        assert ping.returncode == 0 and "pong" in ping.stdout, ping.stdout + ping.stderr

        started = _descendants(desk.process.pid)
        assert len(started) >= 4, f"expected run_desk and its three children: {started}"
        os.killpg(pgid, signal.SIGTERM)
        desk.wait_for(
            "make run to end", lambda: desk.process.poll() is not None, seconds=40, running=False
        )
        desk.wait_for(
            "every process of the desk to be gone",
            lambda: not _group_alive(pgid) and not any(map(_alive, started)),
            seconds=15,
            running=False,
        )

        # make re-raises the SIGTERM it got on itself once its recipe has ended.
        assert desk.process.returncode in (0, -signal.SIGTERM), desk.tail()
        output = desk.output()
        assert "CommandError" not in output and "Error 1" not in output, desk.tail()
        assert "Got SIGTERM: stopping the desk." in output, desk.tail()
        shutdown = output.split("Got SIGTERM: stopping the desk.", 1)[1]
        assert "All desk processes stopped." in shutdown, desk.tail()
        for trouble in ("Traceback", "did not stop in time", "ERROR"):
            assert trouble not in shutdown, desk.tail()
    finally:
        started |= _descendants(desk.process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        for pid in started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        desk.process.wait(timeout=10)


# What the worker did with the requests left in `new`: the chatbot answered them from the demo
# FAQ (the bot), or routing sent them on (the system); the demo routes its others as an agent.
_WORKER_ROUTES = (
    "SELECT COUNT(*) FROM quality_event WHERE (transition = 'route' AND actor_role = 'system')"
    " OR (transition = 'propose_answer' AND actor_role = 'bot')"
    " OR (transition = 'require_approval' AND actor_role = 'system')"
)
_AWAITING_IVAN = (
    "SELECT COUNT(*) FROM tickets_servicerequest r"
    " JOIN tickets_category c ON c.id = r.category_id"
    " JOIN accounts_department d ON d.id = r.approval_department_id"
    " WHERE c.name = 'New laptop' AND r.state = 'awaiting_approval' AND d.code = 'it'"
)


def _routed(database: Path) -> bool:
    if not database.exists():
        return False
    try:
        total = _count(database, "SELECT COUNT(*) FROM tickets_servicerequest")
        new = _count(database, "SELECT COUNT(*) FROM tickets_servicerequest WHERE state = 'new'")
    except sqlite3.OperationalError:  # not migrated yet, or busy
        return False
    return total >= len(STORIES) and new == 0


def _count(database: Path, sql: str) -> int:
    with contextlib.closing(sqlite3.connect(database, timeout=5)) as db:
        return db.execute(sql).fetchone()[0]


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(root: int) -> set[int]:
    """Every live process below `root` (children run in process groups of their own)."""
    table = subprocess.run(
        ["ps", "-A", "-o", "pid=", "-o", "ppid="], capture_output=True, text=True, check=True
    ).stdout
    children: dict[int, list[int]] = {}
    for line in table.splitlines():
        pid, ppid = map(int, line.split())
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        for pid in children.get(todo.pop(), []):
            found.add(pid)
            todo.append(pid)
    return found


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a parent that does not reap (PID 1 in some
    containers)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return not state.stdout.strip().startswith("Z") and state.returncode == 0


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
