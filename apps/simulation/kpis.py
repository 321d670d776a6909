"""Replications of the engine and their KPIs, each with a mean and a 95 % confidence interval."""

import statistics
from dataclasses import asdict, dataclass

from scipy import stats

from apps.simulation.calendar import agent_seconds
from apps.simulation.engine import HOUR, Outcome, Run, simulate
from apps.simulation.first_response import response_share
from apps.simulation.model import ProcessModel
from apps.simulation.next_response import next_response_share
from apps.simulation.side_steps import passage_kpis

# The open requests of each day after the warm-up (the mean of its hourly samples), one KPI a
# day: "backlog_day|0" is the first day. Kept apart from the other KPIs (`backlog_series`).
BACKLOG_DAY = "backlog_day|"


@dataclass
class Estimate:
    """A KPI over the replications: mean and the bounds of its 95 % confidence interval."""

    mean: float
    low: float
    high: float
    replications: int


def replicate(
    model: ProcessModel, *, days: float, replications: int, seed: int, warmup_days: float = 0.0
) -> dict[str, Estimate]:
    """Run `replications` times (seeds seed, seed+1, ...) over `days` after `warmup_days`; the
    KPIs count the requests that arrived after the warm-up."""
    return summarise(
        runs(model, days=days, seeds=range(seed, seed + replications), warmup_days=warmup_days)
    )


def runs(model: ProcessModel, *, days: float, seeds, warmup_days: float = 0.0) -> list[dict]:
    """One row of KPIs per seed (`measure`), to be summarised or extended."""
    hours, warmup = (days + warmup_days) * 24, warmup_days * 24 * HOUR
    return [
        measure(simulate(model, hours=hours, seed=seed, drain_hours=hours), model, warmup, hours)
        for seed in seeds
    ]


def summarise(rows: list[dict]) -> dict[str, Estimate]:
    names = sorted({name for row in rows for name in row})
    return {name: interval([row[name] for row in rows if name in row]) for name in names}


def measure(run: Run, model: ProcessModel, warmup: float, hours: float) -> dict[str, float]:
    """One replication's KPIs, times in hours: TTR median, P90 and mean, mean wait for an
    agent, resolution-SLA and first-response compliance (shares), mean and end backlog,
    utilisation per department (busy agent time over the agents' open time on duty, between
    the warm-up and the end of arrivals)."""
    counted = [o for o in run.outcomes if o.arrived >= warmup]
    ttrs = sorted((o.resolved - o.arrived) / HOUR for o in counted if o.resolved is not None)
    row: dict[str, float] = {"arrivals": float(len(counted))}
    if ttrs:
        row["ttr_median_h"] = statistics.median(ttrs)
        row["ttr_p90_h"] = ttrs[min(len(ttrs) - 1, int(0.9 * len(ttrs)))]
        row["ttr_mean_h"] = statistics.fmean(ttrs)
    # The same in business hours: the resolution clock's open time outside the pausing states
    # (the dashboard's "business" time to resolve), of the requests with a resolution target.
    clocks = [
        o.clock / HOUR
        for o in counted
        if o.resolved is not None and model.resolution_target(o) is not None
    ]
    if clocks:
        row["ttr_business_median_h"] = statistics.median(clocks)
    if counted:
        row["wait_mean_h"] = statistics.fmean(o.waited for o in counted) / HOUR
    row.update(_sla(counted, model))
    row.update(passage_kpis(run, model, warmup, len(counted)))
    row.update(response_share(counted, model))
    row.update(next_response_share(counted, model))
    window = run.backlog[int(warmup // HOUR) : int(hours)]
    if window:
        row["backlog_mean"] = statistics.fmean(window)
        row["backlog_end"] = float(window[-1])
        for day, mean in enumerate(daily_means(window)):
            row[f"{BACKLOG_DAY}{day}"] = mean
    first = int(warmup // HOUR)
    for department in model.capacity:
        available = agent_seconds(model, department, first * HOUR, int(hours) * HOUR)
        if available > 0:
            busy = sum(run.busy.get(department, [])[first : int(hours)])
            row[f"utilisation|{department}"] = busy / available
    return row


def _sla(counted: list[Outcome], model: ProcessModel) -> dict[str, float]:
    """The share of requests with a resolution target resolved within it (the clock's open
    time outside the pausing states); a request that was cancelled is not counted, one still
    open at the end of the run counts as missed."""
    targeted = [o for o in counted if o.priority in model.resolution_targets and not o.dropped]
    if not targeted:
        return {}
    met = sum(1 for o in targeted if met_target(o, model))
    return {"sla_resolution_share": met / len(targeted)}


def met_target(outcome: Outcome, model: ProcessModel) -> bool:
    """Whether `outcome` was resolved within its resolution target (its own, else its
    priority's; False without one)."""
    target = model.resolution_target(outcome)
    return outcome.resolved is not None and target is not None and outcome.clock <= target


def daily_means(hourly: list) -> list[float]:
    """The mean of each whole or partial day (24 hourly samples) of `hourly`."""
    return [statistics.fmean(hourly[i : i + 24]) for i in range(0, len(hourly), 24)]


def backlog_series(
    estimates: dict[str, Estimate],
) -> tuple[dict[str, Estimate], list[Estimate]]:
    """The KPIs without the daily backlog, and the daily backlog in the order of the days."""
    kpis = {n: e for n, e in estimates.items() if not n.startswith(BACKLOG_DAY)}
    days = sorted(
        (int(n[len(BACKLOG_DAY) :]), e) for n, e in estimates.items() if n.startswith(BACKLOG_DAY)
    )
    return kpis, [estimate for _day, estimate in days]


def interval(values: list[float], confidence: float = 0.95) -> Estimate:
    """Mean and Student-t confidence interval (a single value: an interval of width zero)."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return Estimate(mean, mean, mean, len(values))
    half = float(stats.t.ppf((1 + confidence) / 2, len(values) - 1) * stats.sem(values))
    return Estimate(mean, mean - half, mean + half, len(values))


def as_json(estimates: dict[str, Estimate]) -> dict[str, dict]:
    return {name: asdict(estimate) for name, estimate in estimates.items()}
