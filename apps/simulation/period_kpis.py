"""The log's own KPIs over a test period, measured as the engine measures them, and how well
the period knows the targeted ones (their 95 % intervals): what validation.py compares the
simulation with."""

import math
import statistics
from collections import defaultdict
from datetime import datetime, timedelta

from apps.simulation.calendar import HOUR, open_seconds, open_seconds_between
from apps.simulation.demand import Z95
from apps.simulation.handoff_steps import observed_ola
from apps.simulation.holds import agent_stretches
from apps.simulation.kpis import daily_means
from apps.simulation.model import ProcessModel
from apps.simulation.next_response import log_counts
from apps.simulation.period_log import period_transitions
from apps.sla.models import ClockKind, SLAClock
from apps.tickets.models import ServiceRequest

# The SLA shares and the kind of clock the log counts them on.
SHARES = {
    "sla_resolution_share": ClockKind.RESOLUTION,
    "sla_first_response_share": ClockKind.FIRST_RESPONSE,
    "sla_next_response_share": ClockKind.NEXT_RESPONSE,
}
# Requests submitted this long before the period still count in its backlog while open.
LOOKBACK_DAYS = 28


def observed_intervals(start: datetime, end: datetime) -> dict[str, tuple[float, float]]:
    """The 95 % interval of the log's targeted KPIs over [start, end): for the median time to
    resolve, the distribution-free interval between the order statistics around the middle
    (ranks n/2 -+ 1.96 sqrt(n)/2, from the binomial count of values below the true median);
    for the SLA share, its normal interval."""
    intervals = {}
    for name, hours in (
        ("ttr_median_h", _ttrs(start, end)),
        ("ttr_business_median_h", _business_ttrs(start, end)),
    ):
        if hours:
            intervals[name] = _median_interval(sorted(hours))
    for name, kind in SHARES.items():
        met, counted = _sla_counts(start, end, kind)
        if counted:
            share = met / counted
            half = Z95 * math.sqrt(share * (1 - share) / counted)
            # A share of 0 or 1 has no normal spread: at least the spread of one request.
            half = max(half, 1 / counted)
            intervals[name] = (share - half, share + half)
    return intervals


def observed_kpis(model: ProcessModel, start: datetime, end: datetime) -> dict[str, float]:
    """The log's KPIs for the requests submitted in [start, end), as the engine measures them:
    time to the first resolution, the resolution clocks met, the requests open at each hour
    (arrived, not yet resolved or cancelled), and the agents' working time in office hours."""
    ttrs = sorted(_ttrs(start, end))
    kpis: dict[str, float] = {}
    if ttrs:
        kpis["ttr_median_h"] = statistics.median(ttrs)
        kpis["ttr_p90_h"] = ttrs[min(len(ttrs) - 1, int(0.9 * len(ttrs)))]
    business = _business_ttrs(start, end)
    if business:
        kpis["ttr_business_median_h"] = statistics.median(business)
    kpis.update(_sla_share(start, end))
    kpis.update(_backlog(start, end))
    kpis.update(_utilisation(model, start, end))
    kpis.update(observed_ola(model, start, end))
    return kpis


def _ttrs(start: datetime, end: datetime) -> list[float]:
    """Hours from submission to the first resolution of the requests submitted in the period
    that the log shows resolved."""
    firsts = _first_resolutions(start, end)
    requests = ServiceRequest.objects.filter(created_at__gte=start, created_at__lt=end)
    return [
        (firsts[pk] - created).total_seconds() / HOUR
        for pk, created in requests.values_list("pk", "created_at")
        if pk in firsts
    ]


def _median_interval(values: list[float]) -> tuple[float, float]:
    """The distribution-free 95 % interval of the median of the sorted `values`."""
    n, spread = len(values), Z95 * math.sqrt(len(values)) / 2
    low = max(math.floor(n / 2 - spread), 0)
    high = min(math.ceil(n / 2 + spread), n - 1)
    return values[low], values[high]


def _business_ttrs(start: datetime, end: datetime) -> list[float]:
    """Business hours to resolve of the requests submitted in the period that the log shows
    resolved: their resolution clock's open time outside the pausing states, as the dashboard
    reads it (a request reopened and resolved again counts its clock's whole time)."""
    firsts = _first_resolutions(start, end)
    clocks = SLAClock.objects.filter(
        kind=ClockKind.RESOLUTION, request__created_at__gte=start, request__created_at__lt=end
    ).exclude(request__state="cancelled")
    return [
        elapsed / HOUR
        for pk, elapsed in clocks.values_list("request_id", "elapsed_seconds")
        if pk in firsts
    ]


def _first_resolutions(start: datetime, end: datetime) -> dict[int, datetime]:
    firsts: dict[int, datetime] = {}
    rows = period_transitions(start, end, "request_id", "at", to_state="resolved")
    for pk, at in rows.iterator(chunk_size=5000):
        firsts.setdefault(pk, at)
    return firsts


def _sla_share(start: datetime, end: datetime) -> dict[str, float]:
    shares = {}
    for name, kind in SHARES.items():
        met, counted = _sla_counts(start, end, kind)
        if counted:
            shares[name] = met / counted
    return shares


def _sla_counts(start: datetime, end: datetime, kind: str) -> tuple[int, int]:
    """Clocks of `kind` of the period's requests, cancelled ones left out: met when stopped
    without a breach, missed when breached; a clock still running unbreached is left out.
    (met, counted). Next-response clocks: each run from a customer's reply on its own."""
    if kind == ClockKind.NEXT_RESPONSE:
        return log_counts(start, end)
    clocks = SLAClock.objects.filter(
        kind=kind,
        request__created_at__gte=start,
        request__created_at__lt=end,
    ).exclude(request__state="cancelled")
    met = missed = 0
    for breached, stopped in clocks.values_list("breached_at", "stopped_at"):
        if breached is not None:
            missed += 1
        elif stopped is not None:
            met += 1
    return met, met + missed


def _backlog(start: datetime, end: datetime) -> dict[str, float]:
    """The mean over the hours of [start, end) of requests arrived and neither resolved nor
    cancelled yet (requests from before the period included, as the engine's warm-up does)."""
    counts = _backlog_hours(start, end)
    return {"backlog_mean": statistics.fmean(counts)} if counts else {}


def backlog_days(start: datetime, end: datetime) -> list[float]:
    """The mean of each day of [start, end) of `_backlog_hours`."""
    return daily_means(_backlog_hours(start, end))


def _backlog_hours(start: datetime, end: datetime) -> list[int]:
    """At each hour of [start, end), the requests arrived and neither resolved nor cancelled."""
    since = start - timedelta(days=LOOKBACK_DAYS)
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
    return counts


def _utilisation(model: ProcessModel, start: datetime, end: datetime) -> dict[str, float]:
    """Per department, the office-hours time in [start, end) during which each of its agents
    had at least one of its requests in a working state, over its agents' open time. An agent
    works one request at a time, but a request can sit in a working state while its agent works
    on another (a return waiting for its agent, a reply that came after the work): summing the
    requests' stays counted such an agent twice. The union of each agent's stays counts them
    once (on `test_validation.py`'s history the bottleneck read 0.92 summed, 0.75 as a union,
    against 0.72 of work the generator booked: docs/simulation.md). A stay without an
    assignee is counted on its own."""
    stays: dict[tuple, list[tuple[datetime, datetime]]] = defaultdict(list)
    for number, stretch in enumerate(agent_stretches(start, end)):
        if stretch.department is not None:
            agent = stretch.agent if stretch.agent is not None else f"stretch {number}"
            stay = (max(stretch.entered, start), min(stretch.left or end, end))
            stays[(str(stretch.department), agent)].append(stay)
    busy: dict[str, float] = defaultdict(float)
    for (department, _agent), spans in stays.items():
        hours = model.hours_of(department)
        for began, ended in merged(spans):
            busy[department] += open_seconds_between(hours, began, ended)
    span = (end - start).total_seconds()
    monday = start - timedelta(days=start.weekday(), hours=start.hour, minutes=start.minute)
    offset = (start - monday).total_seconds()
    available = {d: open_seconds(model.hours_of(d), offset, offset + span) for d in model.capacity}
    return {
        f"utilisation|{department}": busy.get(department, 0.0) / (agents * available[department])
        for department, agents in model.capacity.items()
        if agents and available[department]
    }


def merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of the intervals `spans`, as disjoint intervals in time order."""
    union: list[tuple[datetime, datetime]] = []
    for began, ended in sorted(spans):
        if union and began <= union[-1][1]:
            union[-1] = (union[-1][0], max(union[-1][1], ended))
        else:
            union.append((began, ended))
    return union
