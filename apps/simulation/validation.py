"""Validation before use: the as-is model, fitted on one period, run over a later period it was
not fitted on, against what the log shows for that period.

Targets (issue 23): median time to resolve within 15 %, resolution-SLA compliance within 5
points. P90 time to resolve, mean backlog and utilisation per department are reported beside
them without a target. A model that misses a target is not valid and is not offered for
scenarios."""

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apps.eventlog.models import Event, EventKind
from apps.simulation.calendar import HOUR, open_seconds
from apps.simulation.discovery import MIN_REQUESTS, discover
from apps.simulation.kpis import Estimate, runs, summarise
from apps.simulation.model import WORKING, ProcessModel
from apps.sla.models import ClockKind, SLAClock
from apps.tickets.models import ServiceRequest

# name -> (tolerance, relative?): a relative error for times, points for shares.
TARGETS = {"ttr_median_h": (0.15, True), "sla_resolution_share": (0.05, False)}
REPORTED = ("ttr_p90_h", "backlog_mean")
# Simulated time before the compared period, so the run starts with a realistic backlog.
WARMUP_DAYS = 7
# More replications are run, up to this many, while a targeted KPI's 95 % interval is wider
# than its tolerance (half-width above half the tolerance): the verdict must not be the dice's.
MAX_REPLICATIONS = 40


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


@dataclass
class Validation:
    model: ProcessModel
    fit: tuple[datetime, datetime]
    test: tuple[datetime, datetime]
    checks: list[Check] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return all(check.passed for check in self.checks if check.tolerance is not None)


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
    observed = observed_kpis(model, split, end)
    simulated = _replicate_until_precise(model, observed, days, replications, seed, warmup)
    validation = Validation(model=model, fit=(fit_start, split), test=(split, end))
    names = [*TARGETS, *REPORTED, *sorted(n for n in observed if n.startswith("utilisation|"))]
    for name in names:
        tolerance, relative = TARGETS.get(name, (None, name != "sla_resolution_share"))
        validation.checks.append(
            _check(name, observed.get(name), simulated.get(name), tolerance, relative)
        )
    return validation


def _replicate_until_precise(model, observed, days, replications, seed, warmup):  # noqa: PLR0917  private helper of validate, called once with its own locals
    rows = runs(model, days=days, seeds=range(seed, seed + replications), warmup_days=warmup)
    while len(rows) < MAX_REPLICATIONS and not _precise(summarise(rows), observed):
        more = min(len(rows), MAX_REPLICATIONS - len(rows))
        start = seed + len(rows)
        rows += runs(model, days=days, seeds=range(start, start + more), warmup_days=warmup)
    return summarise(rows)


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


def observed_kpis(model: ProcessModel, start: datetime, end: datetime) -> dict[str, float]:
    """The log's KPIs for the requests submitted in [start, end), as the engine measures them:
    time to the first resolution, the resolution clocks met, the requests open at each hour
    (arrived, not yet resolved or cancelled), and the agents' working time in office hours."""
    firsts = _first_resolutions(start, end)
    requests = ServiceRequest.objects.filter(created_at__gte=start, created_at__lt=end)
    ttrs = sorted(
        (firsts[pk] - created).total_seconds() / HOUR
        for pk, created in requests.values_list("pk", "created_at")
        if pk in firsts
    )
    kpis: dict[str, float] = {}
    if ttrs:
        kpis["ttr_median_h"] = statistics.median(ttrs)
        kpis["ttr_p90_h"] = ttrs[min(len(ttrs) - 1, int(0.9 * len(ttrs)))]
    kpis.update(_sla_share(start, end))
    kpis.update(_backlog(start, end))
    kpis.update(_utilisation(model, start, end))
    return kpis


def _first_resolutions(start: datetime, end: datetime) -> dict[int, datetime]:
    firsts: dict[int, datetime] = {}
    rows = (
        Event.objects.filter(
            kind=EventKind.TRANSITION,
            to_state="resolved",
            request__created_at__gte=start,
            request__created_at__lt=end,
        )
        .order_by("request_id", "seq")
        .values_list("request_id", "at")
    )
    for pk, at in rows.iterator(chunk_size=5000):
        firsts.setdefault(pk, at)
    return firsts


def _sla_share(start: datetime, end: datetime) -> dict[str, float]:
    """Resolution clocks of the period's requests, cancelled ones left out: met when stopped
    without a breach, missed when breached; a clock still running unbreached is left out."""
    clocks = SLAClock.objects.filter(
        kind=ClockKind.RESOLUTION,
        request__created_at__gte=start,
        request__created_at__lt=end,
    ).exclude(request__state="cancelled")
    met = missed = 0
    for breached, stopped in clocks.values_list("breached_at", "stopped_at"):
        if breached is not None:
            missed += 1
        elif stopped is not None:
            met += 1
    return {"sla_resolution_share": met / (met + missed)} if met + missed else {}


def _backlog(start: datetime, end: datetime) -> dict[str, float]:
    """The mean over the hours of [start, end) of requests arrived and neither resolved nor
    cancelled yet (requests from before the period included, as the engine's warm-up does)."""
    since = start - timedelta(days=WARMUP_DAYS * 4)
    firsts = _first_resolutions(since, end)
    spans = []
    for pk, created, closed in ServiceRequest.objects.filter(
        created_at__gte=since, created_at__lt=end
    ).values_list("pk", "created_at", "closed_at"):
        done = min((t for t in (firsts.get(pk), closed) if t is not None), default=None)
        spans.append((created, done))
    counts, at = [], start
    while at < end:
        counts.append(sum(1 for a, b in spans if a <= at and (b is None or b > at)))
        at += timedelta(hours=1)
    return {"backlog_mean": statistics.fmean(counts)} if counts else {}


def _utilisation(model: ProcessModel, start: datetime, end: datetime) -> dict[str, float]:
    """Per department, the business seconds its requests spent in working states (events in
    [start, end)) over its agents' open time in the period."""
    busy: dict[str, float] = {}
    rows = Event.objects.filter(
        kind=EventKind.TRANSITION, at__gte=start, at__lt=end, from_state__in=WORKING
    ).values_list("department_id", "business_seconds", "wall_seconds")
    for department, business, wall in rows.iterator(chunk_size=5000):
        seconds = business if model.open_hours and business is not None else wall
        if department is not None and seconds is not None:
            busy[str(department)] = busy.get(str(department), 0.0) + seconds
    span = (end - start).total_seconds()
    monday = start - timedelta(days=start.weekday(), hours=start.hour, minutes=start.minute)
    offset = (start - monday).total_seconds()
    available = open_seconds(model.open_hours, offset, offset + span)
    return {
        f"utilisation|{department}": busy.get(department, 0.0) / (agents * available)
        for department, agents in model.capacity.items()
        if agents and available
    }
