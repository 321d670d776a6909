"""Cases as traces of steps, and the prefix samples the ETA model learns from and is tested on."""

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

# The activity that follows the last step of a finished case.
END = "end"


@dataclass(frozen=True)
class Step:
    """One event of a case. `department` and `resource` hold the case once the event happened;
    `clock_used` is the business time its resolution clock had run by then (desk logs only)."""

    activity: str
    state: str
    at: datetime
    department: int | str | None = None
    resource: int | str | None = None
    clock_used: float | None = None


@dataclass
class Trace:
    """One case: its steps in order, its fixed attributes, and when it ended (resolved or
    cancelled); `end` is None while the case is still open. `open_states` (None: every state)
    says after which steps the case was still waiting to be resolved; without them (an
    imported log) the case ends with its last event, and the full prefix is a sample whose next
    activity is END. `attributes` are the case's fixed attributes (channel, tier, or an
    imported log's case attributes); `target_seconds` and `breached` are its resolution
    deadline (in business seconds) and whether it was missed, where known; `load` is filled by
    `context.attach_load` (the open work when each step happened)."""

    case: str
    steps: list[Step]
    end: datetime | None
    priority: int | str | None = None
    category: int | str | None = None
    open_states: frozenset[str] | None = field(default=None, repr=False)
    attributes: dict = field(default_factory=dict, repr=False)
    target_seconds: float | None = None
    breached: bool | None = None
    load: list | None = field(default=None, repr=False)

    @property
    def start(self) -> datetime:
        return self.steps[0].at


@dataclass(frozen=True)
class Features:
    """What is known about an open case at one moment."""

    state: str
    department: int | str | None
    priority: int | str | None
    category: int | str | None
    elapsed_seconds: float

    @property
    def bucket(self) -> int:
        """Elapsed time in doubling bands of hours: 0 (< 1 h), 1 (1-3 h), 2 (3-7 h), ..."""
        return int(math.log2(1 + max(self.elapsed_seconds, 0.0) / 3600))

    def value(self, name: str):
        return self.bucket if name == "bucket" else getattr(self, name)


@dataclass(frozen=True)
class Sample:
    """A prefix of a finished case: its features, the remaining time and the next activity."""

    case: str
    length: int
    at: datetime
    features: Features
    remaining_seconds: float
    next_activity: str
    start: datetime
    trace: Trace = field(repr=False, compare=False)
    index: int = 0


def features_at(trace: Trace, index: int) -> Features:
    step = trace.steps[index]
    return Features(
        state=step.state,
        department=step.department,
        priority=trace.priority,
        category=trace.category,
        elapsed_seconds=(step.at - trace.start).total_seconds(),
    )


def samples(traces: Iterable[Trace]) -> Iterator[Sample]:
    """One sample per prefix of each finished case. With open states (the desk's log): every
    step taken while the case was open, before its end (the step that ends it is the next
    activity of the last). Without (an imported log): every prefix, the full one included,
    whose next activity is END and remaining time 0."""
    for trace in traces:
        if trace.end is None:
            continue
        steps = trace.steps
        for index, step in enumerate(steps):
            if trace.open_states is not None and (
                step.at >= trace.end or step.state not in trace.open_states
            ):
                continue
            following = steps[index + 1].activity if index + 1 < len(steps) else END
            yield Sample(
                case=trace.case,
                length=index + 1,
                at=step.at,
                features=features_at(trace, index),
                remaining_seconds=(trace.end - step.at).total_seconds(),
                next_activity=following,
                start=trace.start,
                trace=trace,
                index=index,
            )


def chronological_split(traces: list[Trace], share: float) -> tuple[list[Trace], list[Trace]]:
    """Finished cases ordered by start: the first `share` to train on, the rest to test."""
    if not 0 < share < 1:
        raise ValueError("The training share lies strictly between 0 and 1.")
    finished = sorted((t for t in traces if t.end is not None), key=lambda t: (t.start, t.case))
    cut = round(len(finished) * share)
    return finished[:cut], finished[cut:]
