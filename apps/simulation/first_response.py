"""First responses in the simulation: when the first agent response comes, read from the log;
the first-response clock of each simulated request; its SLA share.

What marks the first response is what stops the desk's first-response clock
(apps/sla/timers.py): the first public message of an agent, or, without one, the request
reaching `resolved`, `closed` or `cancelled`. The clock runs from submission, in the calendar of
the priority's clocks, and pauses only while awaiting an approval. Discovery reads, for each
state, the stints a request spent in it before its first response: the share of them that held
the response, and how far into the stint it came (the fraction of the stint's time; hands-on
time in office hours for the working states, as the engine spreads them)."""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from apps.eventlog.models import EventKind
from apps.simulation.calendar import after_open_seconds, open_seconds, open_seconds_between
from apps.simulation.model import (
    ENDS,
    RESOLVED,
    WORKING,
    ProcessModel,
    _from_quantiles,
    draw,
)

STOPPING = (RESOLVED, *ENDS)
# The first-response clock pauses only here (apps/sla/timers.py PAUSING_RESPONSE).
PAUSING_RESPONSE = ("awaiting_approval",)
QUANTILES = 21


@dataclass
class ResponseClock:
    """A simulated request's first-response clock: open seconds counted, when it stopped and
    whether an agent's response stopped it (else a resolution or a cancellation did)."""

    clock: float = 0.0
    stopped_at: float | None = None
    responded: bool = False
    cancelled: bool = False
    # Not seen by the log yet (validation): left out of the share.
    left_out: bool = False
    # Its own target, drawn where the priority's requests had several (`response_mix`).
    target: float | None = None


def after_step(model: ProcessModel, rng: random.Random, outcome, step: tuple, span: tuple) -> None:
    """The request left `step[0]` for `step[1]` after the time `span` (began, ended): the
    response may have come during it (drawn from the state's share and fraction), the clock
    counts the open time until then, and a stopping state stops it."""
    state, following = step
    began, ended = span
    response = outcome.response
    if response is None:
        response = outcome.response = ResponseClock(target=own_target(model, outcome, rng))
    if following == "cancelled":
        response.cancelled = True
    if response.stopped_at is not None:
        return
    at = response_at(model.first_response, model, rng, (state, outcome.department), (began, ended))
    stop = at if at is not None else (ended if following in STOPPING else None)
    if state not in PAUSING_RESPONSE:
        shares = model.clock_shares(outcome.priority)
        response.clock += open_seconds(shares, began, ended if stop is None else stop)
    if stop is not None:
        response.stopped_at, response.responded = stop, at is not None


def own_target(model: ProcessModel, outcome, rng: random.Random) -> float | None:
    """A request's own first-response target, drawn from its priority's `response_mix`
    (None: the priority's one target). The log's requests of a priority may have had several:
    platinum customers' policy answers within an hour where their priority's answers within
    four, and judging all by the commonest target meets far more of them than the desk did."""
    mix = model.response_mix.get(outcome.priority)
    return float(draw(mix, rng)) if mix else None


def target_of(model: ProcessModel, outcome) -> float | None:
    """The target `outcome`'s first-response clock is judged by (None: the model has none)."""
    response = outcome.response
    if response is not None and response.target is not None:
        return response.target
    return model.response_targets.get(outcome.priority)


def response_at(
    table: dict, model: ProcessModel, rng: random.Random, where: tuple, span: tuple
) -> float | None:
    """When a response came in the stint `span` (began, ended) spent in `where` (state,
    department), drawn from `table` (state -> {"share", "fractions"}); None: not in it."""
    state, department = where
    began, ended = span
    found = table.get(state)
    if not found or rng.random() >= found["share"]:
        return None
    part = _from_quantiles(found["fractions"], rng.random())
    hours = model.hours_of(department)
    if state in WORKING and hours:
        worked = open_seconds(hours, began, ended)
        return min(after_open_seconds(hours, began, part * worked), ended)
    return began + part * (ended - began)


def response_share(counted: list, model: ProcessModel) -> dict[str, float]:
    """The share of requests with a first-response target whose clock stopped within it;
    cancelled requests are not counted, a clock still running at the end counts as missed."""
    clocks = [
        (o.response, target_of(model, o))
        for o in counted
        if o.priority in model.response_targets and o.response is not None
    ]
    clocks = [(c, t) for c, t in clocks if t is not None and not c.cancelled and not c.left_out]
    if not clocks:
        return {}
    met = sum(1 for c, target in clocks if c.stopped_at is not None and c.clock <= target)
    return {"sla_first_response_share": met / len(clocks)}


def censor_responses(run, model: ProcessModel, seen: float) -> None:
    """What the log could not see yet at `seen` (as validation's `_censor`): a clock stopped
    later is still running; left out while within target, missed when over it."""
    for outcome in run.outcomes:
        response = outcome.response
        if response is None or response.stopped_at is None or response.stopped_at <= seen:
            continue
        response.stopped_at, response.responded = None, False
        target = target_of(model, outcome)
        response.left_out = target is None or response.clock <= target


class ResponseTally:
    """The stints before the first response, per state, read request by request (`add`)."""

    def __init__(self, hours: list[float]) -> None:
        self.hours = hours
        self.stints: Counter = Counter()
        self.fractions: dict[str, list[float]] = defaultdict(list)

    def add(self, events: list) -> None:
        """One request's transitions and public agent messages, in log order."""
        for state, held in self.stints_of(events, self.hours):
            self.stints[state] += 1
            if held is not None:
                self.fractions[state].append(held)

    @staticmethod
    def stints_of(events: list, hours: list[float]):
        return _stints(events, hours)

    def first_response(self) -> dict[str, dict]:
        """State -> {"share", "fractions"}: of the stints in the state that ended before or
        with the first response, the share that held it, and the quantiles of how far into
        the stint it came."""
        found = {}
        for state, n in self.stints.items():
            held = self.fractions[state]
            if held:
                found[state] = {"share": len(held) / n, "fractions": quantiles(held)}
        return found


def _stints(events: list, hours: list[float]):
    """(state, fraction or None) for each stint before the first response that ended; the
    stint holding it gives how far into it the response came."""
    state, entered, message = None, None, None
    for kind, from_state, to_state, at, *_who in events:
        if kind == EventKind.MESSAGE:
            message = at if message is None else message
            continue
        if from_state == to_state and state is not None:
            continue
        if state is not None and entered is not None:
            yield state, None if message is None else fraction(hours, state, entered, message, at)
        if message is not None or to_state in STOPPING:
            return
        state, entered = to_state, at


def fraction(hours: list[float], state: str, entered, message, left) -> float:
    """How far into a stint from `entered` to `left` the `message` came: of its office hours
    in a working state, of its wall time elsewhere."""
    if state in WORKING and hours:
        whole = open_seconds_between(hours, entered, left)
        if whole > 0:
            return min(open_seconds_between(hours, entered, message) / whole, 1.0)
    whole = (left - entered).total_seconds()
    return min((message - entered).total_seconds() / whole, 1.0) if whole > 0 else 0.0


def quantiles(values: list[float]) -> list[float]:
    """`QUANTILES` equally spaced quantiles of `values`, interpolated."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered * QUANTILES
    return [_from_quantiles(ordered, q / (QUANTILES - 1)) for q in range(QUANTILES)]
