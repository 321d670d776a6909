"""The prefix encoding the boosted model learns from: one row of numbers per prefix of a case,
built only from the prefix's own events, the case's fixed attributes and the open work at the
prefix's time (see docs/improvement.md for the list).

Categorical columns hold codes 1..n of a vocabulary learnt from the training prefixes (0: a
value not in it); missing numbers are NaN. `Encoder` is plain data so it pickles with the
model."""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from apps.improvement.eta import office
from apps.improvement.eta.context import place_of
from apps.improvement.eta.traces import Sample, Trace

HOUR = 3600.0
MAX_CATEGORIES = 60
# Fixed columns: (name, categorical).
FIXED: tuple[tuple[str, bool], ...] = (
    ("last_activity", True),
    ("previous_activity", True),
    ("prefix_length", False),
    ("elapsed_hours", False),
    ("since_last_event_hours", False),
    ("waiting_hours", False),
    ("hour_of_day", False),
    ("day_of_week", False),
    ("hour_of_week", False),
    ("department", True),
    ("assignee", True),
    ("open_requests", False),
    ("open_in_department", False),
    ("assignee_load", False),
    ("queue_length", False),
    ("department_waiting", False),
    ("department_working", False),
    ("department_with_customer", False),
    ("department_busy_agents", False),
    ("deadline_target_hours", False),
    ("deadline_used_hours", False),
    ("deadline_left_hours", False),
)


LOAD_COLUMNS = 8


def _vocabulary(counts: Counter) -> list:
    return [value for value, _n in counts.most_common(MAX_CATEGORIES)]


@dataclass
class Encoder:
    """Vocabularies of activities, departments, resources and categorical case attributes,
    learnt from training samples; numeric attributes are listed with an empty vocabulary."""

    activities: list = field(default_factory=list)
    places: list = field(default_factory=list)
    resources: list = field(default_factory=list)
    attributes: dict[str, list | None] = field(default_factory=dict)
    zone: str = "UTC"
    # The desk's office hours (None: an imported log, or a model stored before them).
    hours: office.OfficeHours | None = None

    @classmethod
    def fit(
        cls,
        samples: Sequence[Sample],
        *,
        zone: str = "UTC",
        hours: office.OfficeHours | None = None,
    ) -> "Encoder":
        activities: Counter = Counter()
        places: Counter = Counter()
        resources: Counter = Counter()
        values: dict[str, Counter] = {}
        numeric: set[str] = set()
        seen: set[int] = set()
        for sample in samples:
            step = sample.trace.steps[sample.index]
            activities[step.activity] += 1
            places[place_of(step)] += 1
            if step.resource is not None:
                resources[step.resource] += 1
            if id(sample.trace) in seen:
                continue
            seen.add(id(sample.trace))
            for name, value in sample.trace.attributes.items():
                if isinstance(value, bool) or not isinstance(value, int | float):
                    values.setdefault(name, Counter())[str(value)] += 1
                else:
                    numeric.add(name)
        attributes: dict[str, list | None] = {
            name: _vocabulary(counts) for name, counts in sorted(values.items())
        }
        attributes.update({name: None for name in sorted(numeric - set(values))})
        return cls(
            activities=_vocabulary(activities),
            places=_vocabulary(places),
            resources=_vocabulary(resources),
            attributes=attributes,
            zone=zone,
            hours=hours,
        )

    @property
    def names(self) -> list[str]:
        return [
            *(name for name, _c in FIXED),
            *(f"count:{activity}" for activity in self.activities),
            *(f"attribute:{name}" for name in self.attributes),
            *(office.COLUMNS if self.__dict__.get("hours") is not None else ()),
        ]

    @property
    def categorical(self) -> list[bool]:
        return [
            *(flag for _n, flag in FIXED),
            *(False for _a in self.activities),
            *(vocab is not None for vocab in self.attributes.values()),
            *((False,) * len(office.COLUMNS) if self.__dict__.get("hours") is not None else ()),
        ]

    def describe(self, name: str, value: float):
        """A column's value as a person reads it: the category for a code, else the number."""
        if value != value:  # NaN
            return None
        vocab = {
            "last_activity": self.activities,
            "previous_activity": self.activities,
            "department": self.places,
            "assignee": self.resources,
        }.get(name)
        if vocab is None and name.startswith("attribute:"):
            vocab = self.attributes.get(name.removeprefix("attribute:"))
        if vocab is None:
            return round(float(value), 2)
        code = int(value)
        return str(vocab[code - 1]) if 0 < code <= len(vocab) else None

    def rows(
        self,
        trace: Trace,
        indices: Sequence[int],
        at: datetime | None = None,
        clock_used: float | None = None,
    ) -> list:
        """The rows of the prefixes of `trace` ending at each of `indices` (ascending), seen at
        their last event's time, or at `at` (a live request observed now, its resolution clock
        having run `clock_used` business seconds)."""
        codes = self._maps()["activities"]
        counts = [0.0] * len(self.activities)
        attributes = self._attribute_values(trace)
        wanted, out, done = set(indices), [], 0
        # Filled for all rows at once by `fill_office_hours`.
        calendar = [math.nan] * len(office.COLUMNS) if self.__dict__.get("hours") else []
        for i, step in enumerate(trace.steps):
            code = codes.get(step.activity)
            if code is not None:
                counts[code - 1] += 1
            if i in wanted:
                out.append(self._fixed(trace, i, at, clock_used) + counts + attributes + calendar)
                done += 1
                if done == len(wanted):
                    break
        return out

    def _maps(self) -> dict[str, dict]:
        maps = self.__dict__.get("_codes")
        if maps is None:
            maps = {
                "activities": {v: n + 1 for n, v in enumerate(self.activities)},
                "places": {v: n + 1 for n, v in enumerate(self.places)},
                "resources": {v: n + 1 for n, v in enumerate(self.resources)},
            }
            self.__dict__["_codes"] = maps
        return maps

    def _fixed(
        self, trace: Trace, i: int, at: datetime | None, clock_used: float | None
    ) -> list[float]:
        steps, maps = trace.steps, self._maps()
        step = steps[i]
        seen = at or step.at
        local = seen.astimezone(ZoneInfo(self.zone))
        load = trace.load[i] if trace.load else (math.nan,) * LOAD_COLUMNS
        used = clock_used
        if used is None:
            # Without a clock (an imported log) the deadline runs in wall time.
            used = (
                step.clock_used
                if step.clock_used is not None
                else ((step.at - trace.start).total_seconds())
            )
            used += (seen - step.at).total_seconds()
        target = trace.target_seconds
        return [
            float(maps["activities"].get(step.activity, 0)),
            float(maps["activities"].get(steps[i - 1].activity, 0)) if i else math.nan,
            float(i + 1),
            (seen - trace.start).total_seconds() / HOUR,
            (step.at - steps[i - 1].at).total_seconds() / HOUR if i else 0.0,
            (seen - step.at).total_seconds() / HOUR,
            local.hour + local.minute / 60,
            float(local.weekday()),
            local.weekday() * 24 + local.hour + local.minute / 60,
            float(maps["places"].get(place_of(step), 0)),
            float(maps["resources"].get(step.resource, 0))
            if step.resource is not None
            else math.nan,
            *(float(n) for n in load),
            target / HOUR if target is not None else math.nan,
            used / HOUR if target is not None else math.nan,
            (target - used) / HOUR if target is not None else math.nan,
        ]

    def fill_office_hours(self, x, moments: Sequence[datetime], starts: Sequence[datetime]) -> None:
        """Write the office-hours columns of rows `x` (prefixes seen at `moments`, of cases
        started at `starts`) in one pass: open then, wall hours until it opens, wall hours that
        1, 4 and 16 office hours take from then, office hours since the start (eta/office.py)."""
        hours = self.__dict__.get("hours")
        if hours is None or not len(x):
            return
        first = self.names.index(office.COLUMNS[0])
        x[:, first : first + len(office.COLUMNS)] = hours.columns(
            [m.timestamp() for m in moments], [s.timestamp() for s in starts]
        )

    def _attribute_values(self, trace: Trace) -> list[float]:
        out = []
        for name, vocab in self.attributes.items():
            value = trace.attributes.get(name)
            if value is None:
                out.append(math.nan)
            elif vocab is None:
                out.append(float(value) if isinstance(value, int | float) else math.nan)
            else:
                out.append(float(vocab.index(str(value)) + 1) if str(value) in vocab else 0.0)
        return out
