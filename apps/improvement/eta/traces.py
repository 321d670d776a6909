"""Cases as traces of steps, and the prefix samples the ETA model learns from and is tested on."""

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

# The activity that follows the last step of a finished case.
END = "end"


@dataclass(frozen=True)
class Step:
    activity: str
    state: str
    at: datetime
    department: int | str | None = None


@dataclass
class Trace:
    """One case: its steps in order, its fixed attributes, and when it ended (resolved or
    cancelled); `end` is None while the case is still open. `open_states` (None: every state)
    says after which steps the case was still waiting to be resolved."""

    case: str
    steps: list[Step]
    end: datetime | None
    priority: int | str | None = None
    category: int | str | None = None
    open_states: frozenset[str] | None = field(default=None, repr=False)

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
    """One sample per step of each finished case taken while the case was open and before its
    end: the prefix of that many steps."""
    for trace in traces:
        if trace.end is None:
            continue
        steps = trace.steps
        for index, step in enumerate(steps):
            if step.at >= trace.end:
                break
            if trace.open_states is not None and step.state not in trace.open_states:
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
            )


def chronological_split(traces: list[Trace], share: float) -> tuple[list[Trace], list[Trace]]:
    """Finished cases ordered by start: the first `share` to train on, the rest to test."""
    if not 0 < share < 1:
        raise ValueError("The training share lies strictly between 0 and 1.")
    finished = sorted((t for t in traces if t.end is not None), key=lambda t: (t.start, t.case))
    cut = round(len(finished) * share)
    return finished[:cut], finished[cut:]
