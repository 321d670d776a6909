"""Validation before use: the as-is model, fitted on one period, run over a later period it was
not fitted on, against what the log shows for that period.

Targets (issue 23): median time to resolve within 15 % (on the wall clock and in business
hours: where the log knows one too loosely, the other decides, thin.py), resolution-SLA and
first-response compliance within 5 points (the first response where the desk's policies set a
target). P90
time to resolve, mean backlog and utilisation per department are reported beside them without
a target. A model that misses a target is not valid and is not offered for scenarios."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Max

from apps.eventlog.models import Event
from apps.simulation.calendar import HOUR
from apps.simulation.calendars_in_force import in_force
from apps.simulation.demand import expected_arrivals, submissions
from apps.simulation.discovery import MIN_REQUESTS, discover
from apps.simulation.engine import Arrival, Run, simulate
from apps.simulation.first_response import censor_responses
from apps.simulation.kpis import Estimate, backlog_series, measure, summarise
from apps.simulation.model import ProcessModel
from apps.simulation.next_response import censor_next_responses
from apps.simulation.period_kpis import SHARES, backlog_days, observed_intervals, observed_kpis
from apps.simulation.thin import (
    DECIDES_NOTHING_WHEN_LOOSE,
    decided_by,
    loose_sentences,
    thin_reason,
    too_wide,
    within,
)

# name -> (tolerance, relative?): a relative error for times, points for shares.
TARGETS = {
    "ttr_median_h": (0.15, True),
    "ttr_business_median_h": (0.15, True),
    "sla_resolution_share": (0.05, False),
    "sla_first_response_share": (0.05, False),
    "sla_next_response_share": (0.05, False),
}
# Compared only where the log or the model has it (a desk without first-response targets,
# without resolution clocks).
OPTIONAL = ("sla_first_response_share", "sla_next_response_share", "ttr_business_median_h")
# Read from the SLA clocks' events, which a log may lack (a generated or imported history writes
# the clock rows only): compared where the log has them, else the simulated figure is reported.
FROM_EVENTS = ("sla_next_response_share",)
REPORTED = ("arrivals", "ttr_p90_h", "backlog_mean")
# Reported per department (utilisation) and per handoff pair (OLA compliance, handoff_steps).
PER_PART = ("utilisation|", "ola_")
# Simulated time before the compared period, so the run starts with a realistic backlog.
WARMUP_DAYS = 7
# More replications are run, up to this many, while a targeted KPI's 95 % interval is wider
# than its tolerance (half-width above half the tolerance): the verdict must not be the dice's.
MAX_REPLICATIONS = 40
# The log's own figure is known only within its sampling error: with fewer requests than it
# takes to know a targeted KPI within its tolerance (the 95 % interval of the log's value,
# `observed_intervals`, with demand.Z95), the period is too thin to validate against, whatever
# the model does.


@dataclass
class Check:
    """One KPI: the log's value over the test period, the simulated estimate, the error
    (relative or in points) and, for a targeted KPI, whether it is within tolerance."""

    name: str
    observed: float | None
    simulated: Estimate | None
    error: float | None = None
    tolerance: float | None = None
    relative: bool = True
    passed: bool | None = None
    # The 95 % interval of the log's own value (targeted KPIs): how well the test period knows it.
    observed_interval: tuple[float, float] | None = None


@dataclass
class Validation:
    model: ProcessModel
    fit: tuple[datetime, datetime]
    test: tuple[datetime, datetime]
    checks: list[Check] = field(default_factory=list)
    # Why the test period cannot tell a valid model from an invalid one (the log's own
    # interval of a targeted KPI is wider than the tolerance); empty when it can.
    too_thin: list[str] = field(default_factory=list)
    # The targeted KPIs the log knows too loosely whose target another measure decides.
    decided_by_other: list[str] = field(default_factory=list)
    # The open requests of each day of the test period: the log's, and the simulated estimate.
    backlog: tuple[list[float], list[Estimate]] = field(default_factory=lambda: ([], []))

    @property
    def valid(self) -> bool:
        return not self.too_thin and all(
            check.passed
            for check in self.checks
            if check.tolerance is not None and check.name not in self.undecided
        )

    @property
    def undecided(self) -> set[str]:
        """The targeted KPIs the log knows too loosely to decide anything (thin.py)."""
        return {
            check.name
            for check in self.checks
            if check.tolerance is not None and check.passed is None
        }


def validate(
    *,
    fit_start: datetime,
    split: datetime,
    end: datetime,
    replications: int = 10,
    seed: int = 1,
    min_requests: int = MIN_REQUESTS,
) -> Validation:
    """Fit on the requests submitted in [fit_start, split), run the test period [split, end)
    after a warm-up, and compare with the log's KPIs of the requests submitted in it."""
    model = discover(start=fit_start, end=split, min_requests=min_requests)
    days = (end - split).total_seconds() / 86400
    # The warm-up ends at the test period's hour of the week, so weekdays line up.
    monday = split.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=split.weekday()
    )
    warmup = WARMUP_DAYS + (split - monday).total_seconds() / 86400
    # The requests arrive as they did (the warm-up's too): the check is of the process, not
    # of one period's demand against the fitted rates (Law and Kelton's correlated inspection).
    trace = submissions(split - timedelta(days=warmup), end)
    # The office opens by its calendar in the test period's local time (a change of daylight
    # saving time between the two periods moves it by an hour in UTC).
    in_force(model, (fit_start, split), (split, end))
    observed = observed_kpis(model, split, end)
    # The log sees the test period's requests resolved up to its last event: the simulated
    # ones are seen up to the same instant, not after a drain the log never had.
    horizon = max(_last_event(end), end)
    seen = warmup + (horizon - split).total_seconds() / 86400
    spreads = observed_intervals(split, end)
    # A KPI the log knows too loosely to decide on needs no more replications to be told.
    decidable = {
        name: value
        for name, value in observed.items()
        if name not in TARGETS or not too_wide(value, spreads.get(name), *TARGETS[name])
    }
    simulated = _replicate_until_precise(
        model, decidable, _Plan(days, replications, seed, warmup, seen, trace)
    )
    simulated, simulated_days = backlog_series(simulated)
    # Replayed, the runs' arrivals are the log's: the fitted rates' forecast is reported.
    observed["arrivals"] = float(sum(1 for a in trace if a.at >= warmup * 86400))
    simulated["arrivals"] = expected_arrivals(model, split, end)
    validation = Validation(model=model, fit=(fit_start, split), test=(split, end))
    validation.backlog = (backlog_days(split, end), simulated_days)
    names = [*TARGETS, *REPORTED, *sorted(n for n in observed if n.startswith(PER_PART))]
    for name in names:
        if name in OPTIONAL and name not in observed and name not in simulated:
            continue
        tolerance, relative = _target(name, observed)
        check = _check(name, observed.get(name), simulated.get(name), tolerance, relative)
        check.observed_interval = spreads.get(name)
        validation.checks.append(check)
    _judge_thin(validation)
    return validation


def _target(name: str, observed: dict[str, float]) -> tuple[float | None, bool]:
    """A KPI's tolerance (None: reported without a target) and whether it is relative."""
    shares = name in SHARES or name.startswith("ola_")
    tolerance, relative = TARGETS.get(name, (None, not shares))
    if name in FROM_EVENTS and name not in observed:
        return None, relative  # a log without the clocks' events: the model's figure, reported
    return tolerance, relative


def _judge_thin(validation: Validation) -> None:
    """The targeted KPIs the log knows too loosely: the period is too thin to tell, unless
    another measure of the same target decides (thin.MEASURES; then the loose one must lie
    within its tolerance or the log's own interval) or the KPI decides nothing when loose."""
    loose = [c for c in validation.checks if c.observed is not None and _too_thin(c)]
    thin = {check.name for check in loose}
    named = {check.name for check in validation.checks}
    for check in loose:
        if check.name in DECIDES_NOTHING_WHEN_LOOSE:
            check.passed = None
        elif decided_by(check.name, thin, named):
            simulated = check.simulated.mean if check.simulated is not None else None
            check.passed = check.passed or within(simulated, check.observed_interval)
    validation.too_thin, validation.decided_by_other = loose_sentences(
        [(c.name, c.observed, c.observed_interval) for c in loose], named
    )


@dataclass
class _Plan:
    """How the test period is run: its days, the replications to start with, the first seed,
    the warm-up days before it, the days after the warm-up's start the log sees and the
    requests that arrive (None: from the fitted rates)."""

    days: float
    replications: int
    seed: int
    warmup: float
    seen: float
    trace: list[Arrival] | None = None


def _replicate_until_precise(model, observed, plan: _Plan):
    rows = _runs(model, plan, range(plan.seed, plan.seed + plan.replications))
    while len(rows) < MAX_REPLICATIONS and not _precise(summarise(rows), observed):
        more = min(len(rows), MAX_REPLICATIONS - len(rows))
        start = plan.seed + len(rows)
        rows += _runs(model, plan, range(start, start + more))
    return summarise(rows)


def _runs(model: ProcessModel, plan: _Plan, seeds) -> list[dict]:
    hours, seen = (plan.days + plan.warmup) * 24, plan.seen * 24 * HOUR
    rows = []
    for seed in seeds:
        drain = max(hours, seen / HOUR - hours)
        run = simulate(model, hours=hours, seed=seed, drain_hours=drain, trace=plan.trace)
        _censor(run, model, seen)
        censor_responses(run, model, seen)
        censor_next_responses(run, model, seen)
        rows.append(measure(run, model, plan.warmup * 24 * HOUR, hours))
    return rows


def _censor(run: Run, model: ProcessModel, seen: float) -> None:
    """What the log could not see yet at `seen`: a request resolved later is not resolved; its
    resolution clock is left out of the SLA share when it had not run out by then (as a
    running clock of the log), counted missed when it had."""
    for outcome in run.outcomes:
        if outcome.resolved is None or outcome.resolved <= seen:
            continue
        outcome.resolved = None
        target = model.resolution_target(outcome)
        if target is None or outcome.clock <= target:
            outcome.dropped = True


def _last_event(end: datetime) -> datetime:
    return Event.objects.filter(at__gte=end).aggregate(last=Max("at"))["last"] or end


def _precise(simulated: dict[str, Estimate], observed: dict[str, float]) -> bool:
    for name, (tolerance, relative) in TARGETS.items():
        estimate, value = simulated.get(name), observed.get(name)
        if estimate is None or value is None:
            continue
        allowed = tolerance * abs(value) if relative else tolerance
        if (estimate.high - estimate.low) / 2 > allowed / 2:
            return False
    return True


def _check(name, observed, simulated, tolerance, relative) -> Check:
    check = Check(name, observed, simulated, tolerance=tolerance, relative=relative)
    if observed is None or simulated is None:
        check.passed = False if tolerance is not None else None
        return check
    difference = simulated.mean - observed
    check.error = difference / observed if relative and observed else difference
    if tolerance is not None:
        check.passed = abs(check.error) <= tolerance
    return check


def _too_thin(check: Check) -> str:
    """Why the log's value of a targeted KPI is too uncertain to compare with (empty if not)."""
    observed = check.observed
    if observed is None or not too_wide(
        observed, check.observed_interval, check.tolerance, check.relative
    ):
        return ""
    return thin_reason(check.name, observed, check.observed_interval)
