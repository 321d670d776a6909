"""Handoffs between departments discovered from the log as side steps of the model
(apps/simulation/side_steps.py): per kind and department pair, the share of the requests
leaving the state it was asked in, the time to its acceptance (wall time, fitted), for a
consult the work of the consulted department until completed (office hours, holding one of
its agents), the share declined or expired and the time until then (the request stays where
it was), and the OLA targets in force; and the log's own OLA compliance, measured as the
engine measures it, for validation. A log without handoff events gives no step."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from apps.eventlog.models import Event, EventKind
from apps.handoffs.models import OLAClock
from apps.handoffs.ola import match_policy
from apps.simulation.calendar import open_seconds_between
from apps.simulation.changes import mapping, unknown
from apps.simulation.fitting import fit_step
from apps.simulation.model import StepDist
from apps.simulation.side_steps import TRANSFER, SideStep

CONSULT = "consult"
# A transfer's request goes on to the queue of the department that accepted it.
ONTO = {TRANSFER: "queued", CONSULT: ""}


@dataclass
class _Handoff:
    """One handoff of the log, while it is read: where and when it was asked, accepted and
    completed."""

    request: int
    kind: str
    source: str
    target: str
    state: str
    requested: datetime
    accepted: datetime | None = None
    completed: datetime | None = None
    # Declined or expired: when (the request stayed where it was).
    refused: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.source}>{self.target}"


@dataclass
class _Read:
    done: list[_Handoff] = field(default_factory=list)
    refused: list[_Handoff] = field(default_factory=list)
    # (state, department, next state) -> exits; (state, department, "") -> every exit.
    exits: Counter = field(default_factory=Counter)


def _events(start: datetime, end: datetime):
    return Event.objects.filter(
        kind__in=[EventKind.TRANSITION, EventKind.HANDOFF],
        request__created_at__gte=start,
        request__created_at__lt=end,
    )


@dataclass
class Handoffs:
    """What discovery takes from the handoffs: the side steps (dicts for
    `ProcessModel.side_steps`) and, per request, the stretches it waited for another
    department (requested to accepted; to completed for a consult), which the time of the
    state they were asked in leaves out: the side step gives them."""

    steps: list[dict] = field(default_factory=list)
    waits: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)


def discover_handoffs(
    start: datetime, end: datetime, hours: list[float], own: dict | None = None
) -> Handoffs:
    """The handoffs of the requests submitted in [start, end); nothing when it has none. A
    consult's work is timed in the hours of the consulted department (`own`: department ->
    its calendar's open shares, where it has one; else the desk's office `hours`)."""
    if not _events(start, end).filter(kind=EventKind.HANDOFF).exists():
        return Handoffs()
    read = _read(start, end)
    found = Handoffs(steps=_steps(read, start, end, (hours, own or {})))
    for handoff in read.done + read.refused:
        until = handoff.refused or handoff.completed or handoff.accepted
        assert until is not None
        found.waits.setdefault(handoff.request, []).append((handoff.requested, until))
    return found


def _steps(read: "_Read", start: datetime, end: datetime, calendars: tuple) -> list[dict]:
    hours, own = calendars
    grouped: dict[str, list[_Handoff]] = defaultdict(list)
    for handoff in read.done + read.refused:
        grouped[handoff.key].append(handoff)
    targets = targets_in_force(start, end, grouped)
    steps = []
    for key, handoffs in sorted(grouped.items()):
        first = handoffs[0]
        by_state = Counter(h.state for h in handoffs)
        state = by_state.most_common(1)[0][0]
        exits = read.exits[(state, first.source, ONTO[first.kind])]
        if not exits:
            continue
        step = SideStep(
            key=key,
            state="handoff",
            after=state,
            share=min(1.0, by_state[state] / exits),
            departments=[first.source],
            onto=ONTO[first.kind],
            wait=_fit(_pooled(read.done, first, _acceptance)),
            department=first.target,
            kind=first.kind,
            targets=targets.get(key, {}),
        )
        refused = sum(1 for h in handoffs if h.refused is not None)
        if refused:
            step.refused_share = refused / len(handoffs)
            step.refused_wait = _fit(_pooled(read.refused, first, _refusal))
        if first.kind == CONSULT:
            step.work = _fit(
                _pooled(read.done, first, lambda h: _completion(h, own.get(h.target, hours)))
            )
        steps.append(step.to_dict())
    return steps


def _read(start: datetime, end: datetime) -> _Read:
    """One pass in log order: the accepted handoffs (completed, for consults) and the exits of
    each state per department (the department it was in when it left)."""
    rows = (
        _events(start, end)
        .order_by("request_id", "seq")
        .values_list(
            "request_id", "kind", "from_state", "to_state", "department_id", "at", "payload"
        )
    )
    read, current, department = _Read(), None, ""
    asked: dict[tuple, _Handoff] = {}
    for request_id, kind, from_state, to_state, dept, at, payload in rows.iterator(chunk_size=5000):
        if request_id != current:
            current, department, asked = request_id, "", {}
        if kind == EventKind.HANDOFF:
            _step(read, asked, payload, (request_id, from_state, at))
        elif from_state != to_state and from_state:
            read.exits[(from_state, department, to_state)] += 1
            read.exits[(from_state, department, "")] += 1
        department = "" if dept is None else str(dept)
    return read


def _step(read: _Read, asked: dict, payload: dict, where: tuple) -> None:
    request, state, at = where
    kind, step = str(payload.get("handoff_kind", "")), payload.get("step")
    pair = (kind, str(payload.get("from_department")), str(payload.get("to_department")))
    if step == "requested":
        asked[pair] = _Handoff(request, kind, pair[1], pair[2], state, at)
        return
    handoff = asked.get(pair)
    if handoff is None:
        return
    if step == "accepted":
        handoff.accepted = at
        if kind == TRANSFER:
            read.done.append(asked.pop(pair))
    elif step == "completed" and handoff.accepted is not None:
        handoff.completed = at
        read.done.append(asked.pop(pair))
    elif step in ("declined", "expired"):
        handoff.refused = at
        read.refused.append(asked.pop(pair))
    elif step == "cancelled":
        asked.pop(pair)


def _acceptance(handoff: _Handoff) -> float:
    assert handoff.accepted is not None
    return (handoff.accepted - handoff.requested).total_seconds()


def _refusal(handoff: _Handoff) -> float:
    assert handoff.refused is not None
    return (handoff.refused - handoff.requested).total_seconds()


def _completion(handoff: _Handoff, hours: list[float]) -> float:
    assert handoff.accepted is not None and handoff.completed is not None
    return open_seconds_between(hours, handoff.accepted, handoff.completed)


def _pooled(done: list[_Handoff], first: _Handoff, measure) -> list[list[float]]:
    """The pair's times, then those of every handoff of its kind to its department, then of its
    kind: the first with enough to fit on is used."""
    return [
        [measure(h) for h in done if h.key == first.key],
        [measure(h) for h in done if h.kind == first.kind and h.target == first.target],
        [measure(h) for h in done if h.kind == first.kind],
    ]


def _fit(pools: list[list[float]]) -> StepDist | None:
    """The first pool with enough values to fit on; else the median of the widest as a fixed
    time; None where no handoff of the kind was ever accepted (or refused)."""
    if not pools[-1]:
        return None
    for values in pools:
        dist = fit_step(values)
        if dist is not None:
            return dist
    values = sorted(pools[-1])
    median = values[len(values) // 2]
    return StepDist(kind="fixed", params={"value": median}, median=median, n=len(values))


def targets_in_force(start: datetime, end: datetime, grouped: dict) -> dict[str, dict]:
    """Per step key, the OLA targets (business seconds) most of the period's handoffs of the
    pair had on their clocks; without clocks (a generated log), the policy that matches the
    pair now."""
    clocks: dict[tuple, Counter] = defaultdict(Counter)
    rows = OLAClock.objects.filter(
        handoff__request__created_at__gte=start, handoff__request__created_at__lt=end
    ).values_list(
        "handoff__kind",
        "handoff__from_department_id",
        "handoff__to_department_id",
        "kind",
        "target_seconds",
    )
    for kind, source, target, clock, seconds in rows.iterator(chunk_size=5000):
        clocks[(f"{kind}|{source}>{target}", clock)][float(seconds)] += 1
    found: dict[str, dict] = {}
    for key, handoffs in grouped.items():
        first = handoffs[0]
        policy = match_policy(int(first.source), int(first.target))
        targets = {}
        for clock, minutes in (
            ("acceptance", policy.acceptance_minutes if policy else None),
            ("completion", policy.completion_minutes if policy and first.kind == CONSULT else None),
        ):
            counted = clocks.get((key, clock))
            if counted:
                targets[clock] = counted.most_common(1)[0][0]
            elif minutes:
                targets[clock] = float(minutes * 60)
        found[key] = targets
    return found


def less_waits(wall: float | None, left: datetime, waits) -> float | None:
    """The `wall` seconds of a state left at `left`, without the handoff waits in it."""
    if wall is None or not waits:
        return wall
    entered = left - timedelta(seconds=wall)
    overlap = sum(
        max((min(left, until) - max(entered, since)).total_seconds(), 0.0) for since, until in waits
    )
    return max(wall - overlap, 0.0)


def observed_ola(model, start: datetime, end: datetime) -> dict[str, float]:
    """The log's OLA compliance of the requests submitted in [start, end), for the model's
    handoff steps with targets, measured as the engine measures it: the open time of the
    target department's calendar (around the clock without one, as the desk's OLA clocks) to
    the acceptance (to the completion, from the acceptance)."""
    targets = {s["key"]: s["targets"] for s in model.side_steps if s["state"] == "handoff"}
    if not any(targets.values()) or not _events(start, end).filter(kind=EventKind.HANDOFF).exists():
        return {}
    kpis: dict[str, float] = {}
    done = _read(start, end).done
    for key, wanted in targets.items():
        handoffs = [h for h in done if h.key == key]
        for clock, seconds in wanted.items():
            timed = [_timed(h, clock, model.ola_hours(h.target)) for h in handoffs]
            timed = [t for t in timed if t is not None]
            if timed:
                kpis[f"ola_{clock}|{key}"] = sum(1 for t in timed if t <= seconds) / len(timed)
    return kpis


def _timed(handoff: _Handoff, clock: str, hours: list[float]) -> float | None:
    if clock == "acceptance" and handoff.accepted is not None:
        return open_seconds_between(hours, handoff.requested, handoff.accepted)
    if clock == "completion" and handoff.completed is not None:
        return _completion(handoff, hours)
    return None


def change_refusals(model, change: dict) -> None:
    """The scenario change `handoff_refusals`: {step key: share} — the share of a discovered
    pair's handoffs declined or expired. Where the log shows none refused, they are refused
    after the pair's acceptance time (when the other department would have looked at them)."""
    steps = {step["key"]: step for step in model.side_steps if step["state"] == "handoff"}
    for key, share in mapping(change, "handoff_refusals").items():
        step = steps.get(key)
        if step is None:
            raise unknown("handoff_refusals", _("handoff"), key)
        step["refused_share"] = float(share)
        if not step.get("refused_wait"):
            step["refused_wait"] = step["wait"]
