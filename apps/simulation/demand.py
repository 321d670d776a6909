"""The demand in validation. The engine replays the test period's own submissions (the
warm-up's too), so that validation checks the process (paths, step times, agents) on the demand
the desk really had: Law and Kelton's correlated inspection approach. How well the fitted
arrival rates foresaw that demand is reported beside it: the log's count against the rates'
expectation with its Poisson interval."""

import math
from datetime import datetime, timedelta

from apps.simulation.arrival_priority import arrival_priorities
from apps.simulation.engine import Arrival
from apps.simulation.kpis import Estimate
from apps.simulation.model import HOURS_PER_WEEK, ProcessModel
from apps.tickets.models import ServiceRequest

# The normal quantile of a two-sided 95 % interval (validation's intervals of the log too).
Z95 = 1.96


def submissions(start: datetime, end: datetime) -> list[Arrival]:
    """The requests submitted in [start, end) in time order, as a trace the engine replays:
    seconds after `start`, category and the priority each arrived with, keyed as discovery
    keys them."""
    arrived = arrival_priorities(start, end)
    rows = (
        ServiceRequest.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "pk")
        .values_list("created_at", "pk", "category_id", "priority")
    )
    return [
        Arrival(
            (at - start).total_seconds(),
            "" if category is None else str(category),
            arrived.get(pk, str(p)),
        )
        for at, pk, category, p in rows.iterator(chunk_size=5000)
    ]


def expected_arrivals(model: ProcessModel, start: datetime, end: datetime) -> Estimate:
    """The requests the fitted rates expect in [start, end) (UTC hours of the week, as
    discovery counts them), with the 95 % interval of a Poisson count of that mean."""
    total, at = 0.0, start
    while at < end:
        following = min(at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1), end)
        how = (at.weekday() * 24 + at.hour) % HOURS_PER_WEEK
        share = (following - at).total_seconds() / 3600
        total += share * sum(rates[how] for rates in model.arrivals.values())
        at = following
    half = Z95 * math.sqrt(total)
    return Estimate(total, max(total - half, 0.0), total + half, 0)
