"""A bounded load client: N creates over loopback from a few threads, each create retried with
its Idempotency-Key after a timeout or a dropped connection, everything it saw counted."""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests


@dataclass
class LoadResult:
    sent: int = 0  # creates attempted (distinct keys)
    calls: int = 0  # HTTP calls, retries included
    statuses: Counter = field(default_factory=Counter)
    timeouts: int = 0  # calls the client gave up on (then retried with the same key)
    replayed: int = 0  # answers with Idempotent-Replayed: true
    references: dict[str, str] = field(default_factory=dict)  # key -> reference
    failed_keys: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def figures(self) -> dict:
        return {
            "sent": self.sent,
            "calls": self.calls,
            "created": len(set(self.references.values())),
            "timeouts": self.timeouts,
            "replayed": self.replayed,
            "5xx": self.server_errors,
            "statuses": dict(sorted(self.statuses.items())),
        }


class LoadClient:
    """Creates `count` requests as the token's customer, `threads` at a time, at most `rate`
    creates per second overall. Every `resend_every`th create is sent once more after its
    answer (a client that lost the response); every `impatient_every`th gives up on its first
    call before the answer (a read timeout of 1 ms: the server goes on) and retries."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 5.0,
        resend_every: int = 0,
        impatient_every: int = 0,
    ):
        self.url = f"{base_url}/api/v1/requests/"
        self.headers = {"Authorization": f"Token {token}"}
        self.timeout = timeout
        self.resend_every = resend_every
        self.impatient_every = impatient_every
        self.result = LoadResult()
        self.progress = 0  # creates answered so far

    def run(self, count: int, *, threads: int = 4, rate: float = 40.0, prefix: str = "load"):
        self.result.sent = count
        interval = threads / rate
        with ThreadPoolExecutor(threads) as pool:
            for worker in range(threads):
                keys = [f"{prefix}-{i}" for i in range(worker, count, threads)]
                pool.submit(self._send_all, keys, interval)
        return self.result

    def _send_all(self, keys: list[str], interval: float) -> None:
        session = requests.Session()
        for number, key in enumerate(keys):
            started = time.monotonic()
            body = {"subject": f"Cannot reach the file server ({key})"}
            impatient = bool(self.impatient_every) and number % self.impatient_every == 1
            self._create(session, key, body, impatient=impatient)
            if self.resend_every and number % self.resend_every == 0:
                self._create(session, key, body)
            self.progress += 1
            time.sleep(max(0.0, interval - (time.monotonic() - started)))

    def _create(self, session, key: str, body: dict, *, impatient: bool = False) -> None:
        for attempt in range(20):
            timeout = (self.timeout, 0.001) if impatient and attempt == 0 else self.timeout
            try:
                response = session.post(
                    self.url,
                    json=body,
                    headers={**self.headers, "Idempotency-Key": key},
                    timeout=timeout,
                )
            except requests.RequestException:
                with self.result._lock:
                    self.result.calls += 1
                    self.result.timeouts += 1
                continue
            with self.result._lock:
                self.result.calls += 1
                self.result.statuses[response.status_code] += 1
                if response.headers.get("Idempotent-Replayed") == "true":
                    self.result.replayed += 1
            if response.status_code == 201:
                reference = response.json()["reference"]
                with self.result._lock:
                    known = self.result.references.setdefault(key, reference)
                assert known == reference, f"{key} created {known} and then {reference}"
                return
            if response.status_code < 500 and response.status_code != 429:
                break
        with self.result._lock:
            self.result.failed_keys.append(key)
