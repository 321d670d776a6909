"""The generated requests' stories played in time order, so that each agent's book holds only
the work asked for before: a request that asks for an agent at 10:00 is booked before a
follow-up asked for at 11:00, whichever request was submitted first.

Each story (history_story.Story.play) is a generator that yields the instants at which it asks
for an agent; the player resumes the one whose ask is earliest (ties in the order they were
asked), so that no booking is made with knowledge of a later ask. Before (sessions up to 15)
each request's whole story was played at its submission: an agent's book already held the
follow-ups of earlier requests whose customers had not replied yet, and a new request waited
for a gap that held all its work before them, as no agent who cannot know when a reply will
come would (docs/simulation.md, session 16)."""

import heapq
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import count

from apps.demo.history_case import Case
from apps.demo.history_desk import Desk

# (case, story): a request's case with its submission moved, and its story not yet started.
Begin = Callable[[object], tuple[Case, Iterator[datetime]]]


def play_in_time_order(
    drafts: list, begin: Begin, desk: Desk, write: Callable[[list[Case]], None], chunk: int
) -> None:
    """Play the stories of `drafts` (requests in submission order) in time order; `write`
    the finished cases in submission order, `chunk` at a time (the rest at the end)."""
    asks: list[tuple[datetime, int, int]] = []
    order = count()
    for index, request in enumerate(drafts):
        heapq.heappush(asks, (request.created_at, next(order), index))
    cases: list[Case | None] = [None] * len(drafts)
    stories: dict[int, Iterator[datetime]] = {}
    finished = [False] * len(drafts)
    written = 0
    while asks:
        at, _order, index = heapq.heappop(asks)
        desk.prune(at)
        if cases[index] is None:
            cases[index], stories[index] = begin(drafts[index])
        try:
            heapq.heappush(asks, (next(stories[index]), next(order), index))
        except StopIteration:
            del stories[index]
            finished[index] = True
            written = _write_ready(cases, finished, written, write, chunk)
    _write_ready(cases, finished, written, write, 1)


def _write_ready(cases: list, finished: list[bool], written: int, write, chunk: int) -> int:
    """Write the next `chunk` cases in submission order while all of them are finished."""
    while written < len(cases):
        batch = range(written, min(written + chunk, len(cases)))
        if not all(finished[i] for i in batch):
            break
        write([cases[i] for i in batch])
        for i in batch:
            cases[i] = None
        written = batch.stop
    return written
