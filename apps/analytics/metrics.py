"""The metrics report: volumes, response and resolution times, SLA, rates, time in state, CSAT.

Every figure is a SQL aggregate (a handful of queries, whatever the number of events); see
docs/analytics.md for what each one counts.
"""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from apps.analytics import scope
from apps.analytics.sql import Seconds, stats, summary
from apps.eventlog.models import Event, EventKind
from apps.lifecycle.states import OPEN, State
from apps.sla.models import ClockKind, ClockState, SLAClock
from apps.tickets.models import Feedback, ServiceRequest

TRANSITION = EventKind.TRANSITION


# --- event conditions the rates share ------------------------------------------------------

ENTERS_OPEN = ~Q(from_state__in=OPEN) & Q(to_state__in=OPEN)
LEAVES_OPEN = Q(from_state__in=OPEN) & ~Q(to_state__in=OPEN)
ESCALATION = Q(kind=TRANSITION, transition="escalate") | Q(kind=EventKind.ESCALATION)
HANDOFF = Q(kind=EventKind.HANDOFF) | Q(kind=TRANSITION, transition="transfer")
BOUNCE = Q(kind=EventKind.HANDOFF, payload__step="bounced")
DEFLECTION = Q(kind=TRANSITION, transition="accept_answer")
NOT_FIRST_CONTACT = HANDOFF | Q(kind=TRANSITION, transition="reassign")


def grouped(qs: QuerySet, field: str | None, extra: tuple = (), **aggregates) -> Iterator:
    """(group key, extra values..., aggregate row) for each group; one row under key None when
    not grouped. Default orderings are cleared so they never enter the GROUP BY."""
    if not field and not extra:
        yield None, qs.aggregate(**aggregates)
        return
    keys = {"group": F(field)} if field else {}
    for row in qs.order_by().values(*extra, **keys).annotate(**aggregates):
        yield row.pop("group", None), row


def _in(field: str, start: datetime, end: datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _rate(count: int, of: int) -> dict:
    return {"rate": round(count / of, 4) if of else None, "count": count, "of": of}


# --- the report ---------------------------------------------------------------------------


def compute_metrics(
    *,
    start: datetime,
    end: datetime,
    filters: dict | None = None,
    group_by: str | None = None,
) -> list[dict]:
    """The metrics of requests matching `filters` over [start, end), one dict per group of
    `group_by` (department, agent, category, priority, channel, tier; None: one row).

    Raises InvalidData for an unknown filter or grouping.
    """
    rows: dict = {}
    for part in (_volume, _requests, _rates, _clocks, _time_in_state, _csat):
        part(rows, start=start, end=end, filters=filters, group_by=group_by)
    if group_by is None and None not in rows:
        _row(rows, None)
    names = scope.labels(group_by, rows)
    result = []
    for key, row in rows.items():
        row["label"] = names.get(key, "") if key is not None else ""
        result.append(_finish(row))
    return sorted(result, key=lambda r: (r["group"] is None, str(r["label"])))


def _row(rows: dict, key) -> dict:
    if key not in rows:
        empty = stats("", {})
        rows[key] = {
            "group": key,
            "volume": {
                "created": 0,
                "resolved": 0,
                "cancelled": 0,
                "merged": 0,
                "out": 0,
                "reopened": 0,
                "backlog": 0,
            },
            "first_response": {"wall": empty, "business": empty},
            "resolution": {"wall": empty, "business": empty},
            "sla": {},
            "rates": {},
            "time_in_state": {},
            "csat": {"count": 0, "average": None, "distribution": {str(r): 0 for r in range(1, 6)}},
            "_counts": {},
        }
    return rows[key]


def _finish(row: dict) -> dict:
    counts = row.pop("_counts")
    volume = row["volume"]
    created, resolved_requests = counts.get("created", 0), counts.get("resolved_requests", 0)
    first_contact = resolved_requests - counts.get("not_first_contact", 0)
    row["rates"] = {
        "reopen": _rate(volume["reopened"], volume["resolved"]),
        "first_contact_resolution": _rate(first_contact, resolved_requests),
        "escalation": _rate(counts.get("escalated", 0), created),
        "handoff": _rate(counts.get("handed_off", 0), created),
        "bounce": _rate(counts.get("bounced", 0), created),
        "deflection": _rate(counts.get("deflected", 0), created),
    }
    distribution = row["csat"]["distribution"]
    total = sum(distribution.values())
    row["csat"]["count"] = total
    row["csat"]["average"] = (
        round(sum(int(r) * n for r, n in distribution.items()) / total, 3) if total else None
    )
    return row


def _volume(rows, *, start, end, filters, group_by) -> None:
    """Transitions: what came back (reopened), what left the open states, and the backlog at
    `end` (entries into open states minus exits, over all time before `end`). A plain
    aggregate, not folded into _time_in_state: its percentiles need the rows sorted by state,
    and carrying these counts through that sort costs more than a second scan (bench/README)."""
    in_period = _in("at", start, end)
    events = Event.objects.filter(
        scope.request_q(filters, prefix="request__"), kind=TRANSITION, at__lt=end
    )
    for key, agg in grouped(
        events,
        scope.group_field(group_by, prefix="request__"),
        resolved=Count("pk", filter=in_period & Q(to_state=State.RESOLVED)),
        cancelled=Count("pk", filter=in_period & Q(to_state=State.CANCELLED)),
        merged=Count("pk", filter=in_period & Q(transition="merge")),
        out=Count("pk", filter=in_period & LEAVES_OPEN),
        reopened=Count("pk", filter=in_period & Q(transition="reopen")),
        entered=Count("pk", filter=ENTERS_OPEN),
        left=Count("pk", filter=LEAVES_OPEN),
    ):
        volume = _row(rows, key)["volume"]
        for name in ("resolved", "cancelled", "merged", "out", "reopened"):
            volume[name] = agg[name]
        volume["backlog"] = agg["entered"] - agg["left"]


def _time_in_state(rows, *, start, end, filters, group_by) -> None:
    """Time spent in each state, from the transitions that left it in the period."""
    events = Event.objects.filter(
        scope.request_q(filters, prefix="request__"),
        _in("at", start, end),
        kind=TRANSITION,
        wall_seconds__isnull=False,
    )
    for key, agg in grouped(
        events,
        scope.group_field(group_by, prefix="request__"),
        extra=("from_state",),
        **summary("wall", F("wall_seconds")),
        **summary("business", F("business_seconds")),
    ):
        _row(rows, key)["time_in_state"][agg["from_state"]] = {
            "wall": stats("wall", agg),
            "business": stats("business", agg),
        }


def _requests(rows, *, start, end, filters, group_by) -> None:
    """One pass over the requests created, first answered by an agent or resolved (and not
    reopened since) in the period: how many were created and resolved, and the wall time from
    submission to the first answer and to the resolution."""
    created = _in("created_at", start, end)
    answered = _in("first_response_at", start, end)
    resolved = _in("resolved_at", start, end)
    requests = ServiceRequest.objects.filter(
        scope.request_q(filters), created | answered | resolved
    )
    for key, agg in grouped(
        requests,
        scope.group_field(group_by),
        created=Count("pk", filter=created),
        resolved_requests=Count("pk", filter=resolved),
        **summary("answer", Seconds(F("first_response_at"), F("created_at")), filter=answered),
        **summary("resolution", Seconds(F("resolved_at"), F("created_at")), filter=resolved),
    ):
        row = _row(rows, key)
        row["volume"]["created"] = agg["created"]
        row["_counts"].update(created=agg["created"], resolved_requests=agg["resolved_requests"])
        row["first_response"]["wall"] = stats("answer", agg)
        row["resolution"]["wall"] = stats("resolution", agg)


def _rates(rows, *, start, end, filters, group_by) -> None:
    """One pass over the few events the rates count (escalations, handoffs, transfers,
    reassignments, accepted bot answers) of the requests created or resolved in the period:
    the requests created that were escalated, handed off, bounced between departments or
    deflected, and the requests resolved that were not resolved at first contact."""
    created = _in("request__created_at", start, end)
    resolved = _in("request__resolved_at", start, end)
    events = Event.objects.filter(
        scope.request_q(filters, prefix="request__"),
        created | resolved,
        ESCALATION | HANDOFF | DEFLECTION | NOT_FIRST_CONTACT,
    )
    for key, agg in grouped(
        events,
        scope.group_field(group_by, prefix="request__"),
        escalated=_requests_with(created & ESCALATION),
        handed_off=_requests_with(created & HANDOFF),
        bounced=_requests_with(created & BOUNCE),
        deflected=_requests_with(created & DEFLECTION),
        not_first_contact=_requests_with(resolved & NOT_FIRST_CONTACT),
    ):
        _row(rows, key)["_counts"].update(agg)


def _requests_with(condition: Q) -> Count:
    return Count("request_id", distinct=True, filter=condition)


def sla_clock_q(start: datetime, end: datetime) -> Q:
    """The clocks an SLA figure of the period counts: stopped in it, or breached in it and
    still running or paused; cancelled requests and duplicates merged into another (whose
    clocks the merge stopped; the request kept carries the work) are left out."""
    return (
        (
            Q(_in("stopped_at", start, end), state=ClockState.STOPPED)
            | (_in("breached_at", start, end) & ~Q(state=ClockState.STOPPED))
        )
        & ~Q(request__state=State.CANCELLED)
        & Q(request__merged_into__isnull=True)
    )


def sla_clocks_in(start: datetime, end: datetime, filters: dict | None) -> QuerySet:
    """The clocks of sla_clock_q() of the requests matching `filters`."""
    return SLAClock.objects.filter(
        scope.request_q(filters, prefix="request__"), sla_clock_q(start, end)
    )


def _clocks(rows, *, start, end, filters, group_by) -> None:
    """One pass over the SLA clocks, per target: compliance (sla_clock_q), and the business
    time (pauses and closed hours excluded) of the stopped first-response and resolution clocks
    of the requests first answered or resolved in the period."""
    answered = Q(kind=ClockKind.FIRST_RESPONSE) & _in("request__first_response_at", start, end)
    resolved = Q(kind=ClockKind.RESOLUTION) & _in("request__resolved_at", start, end)
    timed = Q(state=ClockState.STOPPED) & (answered | resolved)
    counted = sla_clock_q(start, end)
    clocks = SLAClock.objects.filter(scope.request_q(filters, prefix="request__"), timed | counted)
    for key, agg in grouped(
        clocks,
        scope.group_field(group_by, prefix="request__"),
        extra=("kind",),
        total=Count("pk", filter=counted),
        breached=Count("pk", filter=counted & Q(breached_at__isnull=False)),
        **summary("business", F("elapsed_seconds"), filter=timed),
    ):
        row = _row(rows, key)
        if agg["business_count"]:
            part = "first_response" if agg["kind"] == ClockKind.FIRST_RESPONSE else "resolution"
            row[part]["business"] = stats("business", agg)
        if agg["total"]:
            met = agg["total"] - agg["breached"]
            row["sla"][agg["kind"]] = {
                "total": agg["total"],
                "met": met,
                "breached": agg["breached"],
                "compliance": round(met / agg["total"], 4),
            }


def _csat(rows, *, start, end, filters, group_by) -> None:
    feedback = Feedback.objects.filter(
        scope.request_q(filters, prefix="request__"), _in("created_at", start, end)
    )
    for key, agg in grouped(
        feedback,
        scope.group_field(group_by, prefix="request__"),
        extra=("rating",),
        n=Count("pk"),
    ):
        _row(rows, key)["csat"]["distribution"][str(agg["rating"])] = agg["n"]
