"""Replaying the event log: each request's events must lead to its current state."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from apps.eventlog.models import Event, EventKind


@dataclass(frozen=True)
class Violation:
    request_id: int
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event #{self.seq}" if self.seq is not None else "log"
        return f"request {self.request_id} {where}: {self.problem}"


def replay(request_id: int, current_state: str, events: Iterable[Event]) -> list[Violation]:
    """What is wrong with one request's events (in seq order) against its current state."""
    problems: list[Violation] = []

    def wrong(seq: int | None, text: str) -> None:
        problems.append(Violation(request_id, seq, text))

    state, last_at, expected_seq = "", None, 1
    for event in events:
        if event.seq != expected_seq:
            wrong(event.seq, f"sequence jumps from {expected_seq - 1} to {event.seq}")
        expected_seq = event.seq + 1
        if last_at is not None and event.at < last_at:
            wrong(
                event.seq,
                f"time goes backwards ({event.at.isoformat()} after {last_at.isoformat()})",
            )
        last_at = event.at
        if event.from_state != state:
            wrong(event.seq, f"starts from '{event.from_state}' but the log was in '{state}'")
        if event.kind != EventKind.TRANSITION and event.to_state != event.from_state:
            wrong(event.seq, f"a {event.kind} event changes the state")
        state = event.to_state
    if expected_seq == 1:
        wrong(None, "has no events")
    elif state != current_state:
        wrong(None, f"replays to '{state}' but the request is '{current_state}'")
    return problems


def check_log(requests: Iterable[tuple[int, str, int]], chunk: int = 500) -> Iterator[Violation]:
    """Violations across many requests, given (id, state, last_event_seq) rows, read in chunks
    so the check runs in bounded memory on a large log."""
    batch: list[tuple[int, str, int]] = []
    for row in requests:
        batch.append(row)
        if len(batch) >= chunk:
            yield from _check_batch(batch)
            batch = []
    if batch:
        yield from _check_batch(batch)


def _check_batch(batch: list[tuple[int, str, int]]) -> Iterator[Violation]:
    by_request: dict[int, list[Event]] = {pk: [] for pk, _, _ in batch}
    fields = ("request_id", "seq", "kind", "from_state", "to_state", "at")
    for event in (
        Event.objects.filter(request_id__in=by_request).only(*fields).order_by("request_id", "seq")
    ):
        by_request[event.request_id].append(event)
    for pk, state, last_seq in batch:
        events = by_request[pk]
        yield from replay(pk, state, events)
        if events and events[-1].seq != last_seq:
            yield Violation(
                pk, None, f"last event is #{events[-1].seq} but the request counts {last_seq}"
            )
