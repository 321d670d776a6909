"""Did the corrective action work? The problem's indicator before and after its implementation,
compared with a one-sided statistical test."""

from datetime import datetime, timedelta
from statistics import median

from django.db.models import Count, F, Q
from django.utils import timezone

from apps.eventlog.models import Event, EventKind
from apps.improvement.models import Indicator, Problem
from apps.tickets.models import ServiceRequest

ALPHA = 0.05
MIN_CASES = 5
# How far each period reaches from the implementation (the after period ends now at the latest):
# the figures compared are per request, so the periods need not be equally long.
WINDOW = timedelta(days=28)


def verify(
    problem: Problem,
    *,
    now: datetime | None = None,
    alpha: float = ALPHA,
    window: timedelta = WINDOW,
) -> dict:
    """Both periods' figures, the test, its p-value and whether the indicator improved
    significantly; `improved` is False with a `note` when a period has too few cases."""
    if problem.implemented_at is None:
        raise ValueError("Only an implemented problem has an after period.")
    now = now or timezone.now()
    pivot = problem.implemented_at
    periods = {"before": (pivot - window, pivot), "after": (pivot, min(now, pivot + window))}
    scope = problem_scope(problem)
    measure = _rate if problem.indicator == Indicator.REOPEN_RATE else durations
    result = {
        "indicator": problem.indicator,
        "scope": {k: v for k, v in scope.items() if v},
        "alpha": alpha,
        "measured_at": now.isoformat(),
    }
    data = {name: measure(problem.indicator, scope, *span) for name, span in periods.items()}
    for name, (start, end) in periods.items():
        result[name] = {"start": start.isoformat(), "end": end.isoformat(), **data[name]["show"]}
    result.update(_test(problem.indicator, data["before"], data["after"], alpha))
    return result


def problem_scope(problem: Problem) -> dict:
    """The requests a problem is about: its category (or its linked requests' categories) and
    its department; an empty part means every one."""
    categories = {problem.category_id} if problem.category_id else set()
    if not categories:
        categories = set(
            problem.requests.exclude(category=None).values_list("category_id", flat=True)
        )
    return {"categories": sorted(categories), "department": problem.department_id}


def _requests(scope: dict):
    requests = ServiceRequest.objects.all()
    if scope["categories"]:
        requests = requests.filter(category_id__in=scope["categories"])
    if scope["department"]:
        requests = requests.filter(department_id=scope["department"])
    return requests


def durations(indicator: str, scope: dict, start: datetime, end: datetime) -> dict:
    """The hours from submission to the first answer or to the resolution (`indicator`) of
    the requests in `scope` answered or resolved in [start, end): the per-request values
    behind the metrics report's wall-clock means, for rank tests."""
    field = "resolved_at" if indicator == Indicator.RESOLUTION_TIME else "first_response_at"
    rows = (
        _requests(scope)
        .filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .annotate(took=F(field) - F("created_at"))
        .values_list("took", flat=True)
    )
    hours = [took.total_seconds() / 3600 for took in rows]
    return {
        "values": hours,
        "show": {
            "count": len(hours),
            "median_hours": round(median(hours), 3) if hours else None,
            "mean_hours": round(sum(hours) / len(hours), 3) if hours else None,
        },
    }


def _rate(indicator: str, scope: dict, start: datetime, end: datetime) -> dict:
    events = Event.objects.filter(
        kind=EventKind.TRANSITION, at__gte=start, at__lt=end, request__in=_requests(scope)
    )
    counts = events.aggregate(
        resolutions=_count(Q(to_state="resolved") & ~Q(from_state="resolved")),
        reopens=_count(Q(transition="reopen")),
    )
    resolutions, reopens = counts["resolutions"] or 0, counts["reopens"] or 0
    return {
        "counts": (reopens, resolutions),
        "show": {
            "count": resolutions,
            "reopens": reopens,
            "rate": round(reopens / resolutions, 4) if resolutions else None,
        },
    }


def _count(condition):
    return Count("pk", filter=condition)


def _test(indicator: str, before: dict, after: dict, alpha: float) -> dict:
    """One-sided: is the after period better (shorter times, fewer reopens)?"""
    # Imported here: the admin and the API import this module, and a process that never
    # verifies a problem should not hold SciPy (tests/servicedesk/test_startup_imports.py).
    from scipy.stats import fisher_exact, mannwhitneyu

    if indicator == Indicator.REOPEN_RATE:
        (r0, n0), (r1, n1) = before["counts"], after["counts"]
        if min(n0, n1) < MIN_CASES:
            return _too_few()
        table = [[r0, n0 - r0], [r1, n1 - r1]]
        p_value = fisher_exact(table, alternative="greater").pvalue
        test = "fisher_exact"
    else:
        x, y = before["values"], after["values"]
        if min(len(x), len(y)) < MIN_CASES:
            return _too_few()
        p_value = mannwhitneyu(x, y, alternative="greater").pvalue
        test = "mann_whitney_u"
    p_value = float(p_value)
    return {"test": test, "p_value": round(p_value, 6), "improved": p_value < alpha}


def _too_few() -> dict:
    return {
        "test": None,
        "p_value": None,
        "improved": False,
        "note": f"fewer than {MIN_CASES} cases in a period",
    }
