"""Next responses in the simulation: after a customer's reply, when the agent answers again,
read from the log; the next-response clocks of each simulated request; their SLA share.

The desk (apps/sla/timers.py) starts a next-response clock at a customer's public message once
the first-response clock has stopped, where the policy sets a next-response target, unless one
is running already; an agent's public message stops it, and so do `resolved`, `closed` and
`cancelled`; it pauses only while awaiting an approval. The engine starts one where the path
shows the customer's reply: a request leaving `pending_customer` for a state that does not stop
it. Discovery reads the log the same way: from each such exit, the stints until the agent's
next public message (or a stopping state), per state the share of them that held the message
and how far into the stint it came (as first responses are read, first_response.py). A
customer writing again while the agent works is not modelled."""

import random
from dataclasses import dataclass
from datetime import datetime

from apps.eventlog.models import Event, EventKind
from apps.simulation.calendar import open_seconds
from apps.simulation.first_response import (
    PAUSING_RESPONSE,
    STOPPING,
    ResponseTally,
    fraction,
    response_at,
)
from apps.simulation.model import ProcessModel
from apps.sla.models import ClockKind

REPLIED = "pending_customer"


@dataclass
class NextClock:
    """One next-response clock of a simulated request: open seconds counted up to `last`, when
    it stopped, whether an agent's response stopped it."""

    last: float
    clock: float = 0.0
    stopped_at: float | None = None
    responded: bool = False
    cancelled: bool = False
    # When the customer's reply started it; not seen by the log yet (validation): left out.
    started: float | None = None
    left_out: bool = False


class NextResponses:
    """The engine's next-response clocks, drawn from a random stream of their own (a model
    without next-response targets draws nothing: its runs are as before)."""

    def __init__(self, model: ProcessModel, seed: int) -> None:
        self.model = model
        self.rng = random.Random(f"next-response {seed}")

    def after_step(self, outcome, step: tuple, span: tuple) -> None:
        """The request left `step[0]` for `step[1]` after `span` (began, ended): the running
        clock counts the stint and may stop in it; a customer's reply starts a new one."""
        state, following = step
        clocks: list[NextClock] = outcome.next_clocks
        running = clocks[-1] if clocks and clocks[-1].stopped_at is None else None
        if following == "cancelled":
            for clock in clocks:
                clock.cancelled = True
        if running is not None:
            self._count(running, outcome, step, span)
        first = outcome.response
        if (
            state == REPLIED
            and following not in STOPPING
            and (running is None or running.stopped_at is not None)
            and first is not None
            and first.stopped_at is not None
        ):
            clocks.append(NextClock(last=span[1], started=span[1]))

    def _count(self, clock: NextClock, outcome, step: tuple, span: tuple) -> None:
        state, following = step
        ended = span[1]
        where = (state, outcome.department)
        at = response_at(self.model.next_response, self.model, self.rng, where, span)
        stop = at if at is not None else (ended if following in STOPPING else None)
        if state not in PAUSING_RESPONSE:
            # From the last instant counted: the wait for an agent between steps counts too.
            shares = self.model.clock_shares(outcome.priority)
            clock.clock += open_seconds(shares, clock.last, ended if stop is None else stop)
        clock.last = ended
        if stop is not None:
            clock.stopped_at, clock.responded = stop, at is not None


def next_response_share(counted: list, model: ProcessModel) -> dict[str, float]:
    """The share of the next-response clocks of requests with a target stopped within it;
    those of cancelled requests are not counted, a clock still running at the end is missed."""
    targets = model.next_targets
    clocks = [
        (clock, targets[o.priority])
        for o in counted
        if o.priority in targets
        for clock in o.next_clocks
        if not clock.cancelled and not clock.left_out
    ]
    if not clocks:
        return {}
    met = sum(1 for c, target in clocks if c.stopped_at is not None and c.clock <= target)
    return {"sla_next_response_share": met / len(clocks)}


def censor_next_responses(run, model: ProcessModel, seen: float) -> None:
    """What the log could not see yet at `seen` (as first_response.censor_responses): a clock
    started later is not in it; one stopped later is still running there, left out while within
    its target, missed when over it."""
    for outcome in run.outcomes:
        target = model.next_targets.get(outcome.priority)
        for clock in outcome.next_clocks:
            if clock.started is not None and clock.started > seen:
                clock.left_out = True
            elif clock.stopped_at is not None and clock.stopped_at > seen:
                clock.stopped_at, clock.responded = None, False
                clock.left_out = target is None or clock.clock <= target


def log_counts(start: datetime, end: datetime) -> tuple[int, int]:
    """The log's next-response clocks of the requests submitted in [start, end), cancelled ones
    left out, each run of the clock from a customer's reply on its own (the desk keeps one row
    a request and restarts it; the log's events tell the runs apart): met when stopped without
    a breach, missed when breached, left out while still running unbreached. (met, counted)"""
    events = (
        Event.objects.filter(
            kind__in=(EventKind.SLA_CLOCK, EventKind.SLA_BREACH),
            payload__clock=ClockKind.NEXT_RESPONSE,
            request__created_at__gte=start,
            request__created_at__lt=end,
        )
        .exclude(request__state="cancelled")
        .order_by("request_id", "seq")
        .values_list("request_id", "kind", "payload")
    )
    outcomes: list[bool] = []  # each run: met so far?
    latest: dict[int, int] = {}  # request -> its latest run
    stopped: set[int] = set()
    for request, kind, payload in events.iterator(chunk_size=5000):
        action = payload.get("action")
        if action == "start":
            latest[request] = len(outcomes)
            outcomes.append(True)
        elif request not in latest:
            continue
        elif kind == EventKind.SLA_BREACH:
            # The sweep's breach, or one found at the stop (logged right after it).
            outcomes[latest[request]] = False
        elif action == "stop":
            stopped.add(latest[request])
            if payload.get("elapsed_business_seconds", 0) > payload.get("target_seconds", 0):
                outcomes[latest[request]] = False
    # A run still going unbreached at the end is not known yet.
    counted = [met for run, met in enumerate(outcomes) if run in stopped or not met]
    return sum(counted), len(counted)


class NextResponseTally(ResponseTally):
    """The stints while a next-response clock runs, per state, read request by request."""

    @staticmethod
    def stints_of(events: list, hours: list[float]):
        return _stints(events, hours)

    def next_response(self) -> dict[str, dict]:
        """State -> {"share", "fractions"}, as `first_response` reads them."""
        return self.first_response()


def _stints(events: list, hours: list[float]):
    """(state, fraction or None) for each stint of a running next-response clock that ended:
    the clocks start at each exit from `pending_customer` (not to a stopping state) once an
    agent has answered or the request was resolved, and run to the agent's next message."""
    state, entered, message = None, None, None
    answered = running = False
    for kind, from_state, to_state, at, *_who in events:
        if kind == EventKind.MESSAGE:
            answered = True
            if running and message is None:
                message = at
            continue
        if from_state == to_state and state is not None:
            continue
        if running and state is not None and entered is not None:
            yield state, None if message is None else fraction(hours, state, entered, message, at)
            if message is not None or to_state in STOPPING:
                running, message = False, None
        answered = answered or to_state in STOPPING
        if not running and answered and from_state == REPLIED and to_state not in STOPPING:
            running = True
        state, entered = to_state, at
