"""The load client: N threads, one keep-alive HTTP connection each, for a fixed time."""

import http.client
import json
import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# A call: (method, path, body or None) for the i-th call of a client holding `token`.
MakeCall = Callable[[str, int], tuple[str, str, dict | None]]


@dataclass
class Result:
    calls: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    first_error: str = ""

    @property
    def per_s(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def token_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}", "Content-Type": "application/json"}


def run_load(
    port: int,
    tokens: list[str],
    make_call: MakeCall,
    seconds: float,
    expect: int,
    *,
    headers_for: Callable[[str], dict[str, str]] = token_headers,
) -> Result:
    """One thread per token, each calling in a loop until `seconds` have passed; `headers_for`
    gives a client's headers from its token (a session cookie for the admin's pages)."""
    stop_at = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in tokens]
    errors = [0] * len(tokens)
    first_error: list[str] = []

    def client(index: int, token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = headers_for(token)
        i = 0
        while time.perf_counter() < stop_at:
            method, path, body = make_call(token, i)
            i += 1
            started = time.perf_counter()
            try:
                conn.request(method, path, json.dumps(body) if body else None, headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as error:
                errors[index] += 1
                first_error.append(repr(error))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            latencies[index].append((time.perf_counter() - started) * 1000)
            if response.status != expect:
                errors[index] += 1
                first_error.append(f"{method} {path}: {response.status} {payload[:300]!r}")
        conn.close()

    threads = [threading.Thread(target=client, args=(i, t)) for i, t in enumerate(tokens)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [ms for per_client in latencies for ms in per_client]
    return Result(len(flat), sum(errors), elapsed, flat, first_error[0] if first_error else "")


def calls_for(kind: str, system, ids: dict[str, list[int]]) -> MakeCall:
    """What a client of `system` sends for `kind` (create, list or detail)."""
    if kind == "create":
        return lambda token, i: ("POST", system.create_path, system.create_body(i))
    if kind == "list":
        return lambda token, i: ("GET", system.list_path, None)
    chooser = random.Random(7)
    return lambda token, i: ("GET", system.detail_path.format(id=chooser.choice(ids[token])), None)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
