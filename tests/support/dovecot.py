"""A real IMAP server for the mail tests (and bench/mail_intake.py): Debian's dovecot, started
per test session on a free port with a passwd-file of users and maildirs in a temporary
directory."""

import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted
from imap_tools.consts import MailMessageFlags

DOVECOT = shutil.which("dovecot", path=f"{os.environ.get('PATH', '')}:/usr/sbin")

# Each test takes a user of its own; users are made before the server starts.
USERS = 200

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = {uid}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class ImapAccount:
    """A user of the test server: where to log in, and a way to put mails in."""

    host: str
    port: int
    username: str
    password: str

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a mail into the mailbox by IMAP APPEND, unseen."""
        self.append_many([raw], folder)

    def append_many(self, raws: list[bytes], folder: str = "INBOX") -> None:
        with self._login() as box:
            for raw in raws:
                box.append(raw, folder, flag_set=[])

    def unseen(self) -> int:
        """How many mails of the INBOX are not flagged \\Seen."""
        with self._login() as box:
            return len(box.uids("UNSEEN"))

    def mark_all_unseen(self) -> None:
        """As if the poller had died after taking the mails in and before flagging them."""
        with self._login() as box:
            box.flag(box.uids("ALL"), MailMessageFlags.SEEN, False)

    def _login(self):
        return MailBoxUnencrypted(self.host, self.port).login(self.username, self.password)


class Dovecot:
    """A dovecot master process of the test session."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.process: subprocess.Popen | None = None
        self._users = itertools.count(1)

    def start(self) -> None:
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        # Users are written before the start: dovecot may not see lines added while it runs.
        (self.root / "passwd").write_text(
            "".join(f"desk{n}:{{PLAIN}}secret-desk{n}::::::\n" for n in range(1, USERS + 1))
        )
        if os.geteuid() == 0:
            # dovecot refuses to run its login and mail processes as root: its own users.
            internal = pwd.getpwnam("dovecot")
            uid, gid = internal.pw_uid, internal.pw_gid
            names = {"internal_user": "dovecot", "login_user": "dovenull"}
            os.chown(self.root / "mail", uid, gid)
            self.root.chmod(0o755)
        else:
            me = pwd.getpwuid(os.geteuid())
            uid, gid = me.pw_uid, me.pw_gid
            names = {"internal_user": me.pw_name, "login_user": me.pw_name}
        group = names["internal_user"]
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                root=self.root, port=self.port, uid=uid, gid=gid, internal_group=group, **names
            )
        )
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_listening()

    def _wait_until_listening(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not start: {self.log()[-2000:]}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def new_account(self) -> ImapAccount:
        """A new user with an empty INBOX: each test reads its own mailbox."""
        number = next(self._users)
        if number > USERS:
            raise RuntimeError(f"the test dovecot has {USERS} users; raise USERS")
        username = f"desk{number}"
        return ImapAccount("127.0.0.1", self.port, username, f"secret-{username}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    """A dovecot on a free port in a temporary directory, stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="sd-dovecot-"))
    server = Dovecot(root, free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot_server():
    """The session's dovecot (skipped saying why where it is not installed; under CI=true a
    missing dovecot fails)."""
    from tests.conftest import need_service

    need_service(DOVECOT is not None, "dovecot (Debian's dovecot-imapd)")
    with running_dovecot() as server:
        yield server


@pytest.fixture
def imap_account(dovecot_server) -> ImapAccount:
    """A fresh IMAP user on the session's dovecot."""
    return dovecot_server.new_account()
