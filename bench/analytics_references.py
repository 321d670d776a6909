"""The SQL references of bench/analytics.py: plain SQL computing the same figures as the
analytics code, and the one-aggregate references printed for context."""

# The fair references: plain SQL computing the same figures as our code, over the same
# tables, written by hand (no ORM, no Python between statements; only the final divisions of
# the rates are left out). They use the plan our code settled on (bench/README.md), so a ratio
# measures what our structure costs: the ORM, the generic grouping and filter joins, the
# Python that assembles the report.
OPEN = (
    "('new', 'awaiting_approval', 'bot_answered', 'queued', 'assigned', 'in_progress', "
    "'pending_customer')"
)
QUANTILES = "percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY {0})"


def _between(column: str) -> str:
    return f"({column} >= %(start)s AND {column} < %(end)s)"


def _stats(expression: str, condition: str = "TRUE") -> str:
    where = f"FILTER (WHERE {condition})"
    return (
        f"COUNT({expression}) {where}, AVG({expression}) {where}, "
        f"{QUANTILES.format(expression)} {where}"
    )


_AT = _between("at")
_CREATED, _ANSWERED, _RESOLVED = (
    _between(f"r.{c}") for c in ("created_at", "first_response_at", "resolved_at")
)
_SLA = (
    "(((c.state = 'stopped' AND "
    + _between("c.stopped_at")
    + ") OR (c.state <> 'stopped' AND "
    + _between("c.breached_at")
    + ")) AND r.state <> 'cancelled')"
)
_TIMED = (
    f"(c.state = 'stopped' AND ((c.kind = 'first_response' AND {_ANSWERED}) "
    f"OR (c.kind = 'resolution' AND {_RESOLVED})))"
)
_ESCALATION = "(e.kind = 'escalation' OR (e.kind = 'transition' AND e.transition = 'escalate'))"
_HANDOFF = "(e.kind = 'handoff' OR (e.kind = 'transition' AND e.transition = 'transfer'))"
_NOT_FIRST = f"({_HANDOFF} OR (e.kind = 'transition' AND e.transition = 'reassign'))"
_DEFLECTION = "(e.kind = 'transition' AND e.transition = 'accept_answer')"
REFERENCE_METRICS = {
    "volume": f"""
        SELECT COUNT(*) FILTER (WHERE {_AT} AND to_state = 'resolved'),
               COUNT(*) FILTER (WHERE {_AT} AND to_state = 'cancelled'),
               COUNT(*) FILTER (WHERE {_AT} AND from_state IN {OPEN} AND to_state NOT IN {OPEN}),
               COUNT(*) FILTER (WHERE {_AT} AND transition = 'reopen'),
               COUNT(*) FILTER (WHERE from_state NOT IN {OPEN} AND to_state IN {OPEN})
               - COUNT(*) FILTER (WHERE from_state IN {OPEN} AND to_state NOT IN {OPEN})
        FROM quality_event WHERE kind = 'transition' AND at < %(end)s""",
    "requests": f"""
        SELECT COUNT(*) FILTER (WHERE {_CREATED}), COUNT(*) FILTER (WHERE {_RESOLVED}),
               {_stats("r.answer", _ANSWERED)}, {_stats("r.resolution", _RESOLVED)}
        FROM (SELECT *, EXTRACT(EPOCH FROM (first_response_at - created_at))::float AS answer,
                     EXTRACT(EPOCH FROM (resolved_at - created_at))::float AS resolution
              FROM tickets_servicerequest) r
        WHERE {_CREATED} OR {_ANSWERED} OR {_RESOLVED}""",
    "rates": f"""
        SELECT COUNT(DISTINCT e.request_id) FILTER (WHERE {_CREATED} AND {_ESCALATION}),
               COUNT(DISTINCT e.request_id) FILTER (WHERE {_CREATED} AND {_HANDOFF}),
               COUNT(DISTINCT e.request_id) FILTER (WHERE {_CREATED} AND e.kind = 'handoff'
                                                    AND e.payload -> 'step' = '"bounced"'),
               COUNT(DISTINCT e.request_id) FILTER (WHERE {_CREATED} AND {_DEFLECTION}),
               COUNT(DISTINCT e.request_id) FILTER (WHERE {_RESOLVED} AND {_NOT_FIRST})
        FROM quality_event e JOIN tickets_servicerequest r ON r.id = e.request_id
        WHERE ({_CREATED} OR {_RESOLVED})
          AND ({_ESCALATION} OR {_HANDOFF} OR {_NOT_FIRST} OR {_DEFLECTION})""",
    "clocks": f"""
        SELECT c.kind, COUNT(*) FILTER (WHERE {_SLA}),
               COUNT(*) FILTER (WHERE {_SLA} AND c.breached_at IS NOT NULL),
               {_stats("c.elapsed_seconds", _TIMED)}
        FROM sla_slaclock c JOIN tickets_servicerequest r ON r.id = c.request_id
        WHERE {_TIMED} OR {_SLA} GROUP BY c.kind""",
    "time in state": f"""
        SELECT from_state, {_stats("wall_seconds")}, {_stats("business_seconds")}
        FROM quality_event
        WHERE kind = 'transition' AND wall_seconds IS NOT NULL AND {_AT}
        GROUP BY from_state""",
    "csat": f"""
        SELECT rating, COUNT(*) FROM quality_feedback
        WHERE {_between("created_at")} GROUP BY rating""",
}
REFERENCE_STATE_MAP = {
    "edges and nodes": f"""
        SELECT from_state, to_state, COUNT(*), COUNT(DISTINCT request_id),
               {_stats("wall_seconds")}, {_stats("business_seconds")},
               SUM(COUNT(*)) OVER (PARTITION BY GROUPING(to_state), to_state)
        FROM quality_event WHERE kind = 'transition' AND from_state <> to_state
        GROUP BY GROUPING SETS ((from_state, to_state), (from_state))""",
    "cases": "SELECT COUNT(*) FROM tickets_servicerequest",
}
_ACTIVITY = (
    "CASE WHEN kind = 'transition' THEN transition "
    "WHEN kind = 'handoff' THEN 'handoff_' || COALESCE(payload ->> 'step', 'step') ELSE kind END"
)
REFERENCE_ACTIVITY_MAP = {
    "edges, starts and ends": f"""
        SELECT activity, next_activity, COUNT(*), COUNT(DISTINCT request_id),
               COUNT(*) FILTER (WHERE prev_activity IS NULL), {_stats("w")}
        FROM (SELECT request_id, activity,
                     LEAD(activity) OVER w AS next_activity,
                     LAG(activity) OVER w AS prev_activity,
                     EXTRACT(EPOCH FROM (LEAD(at) OVER w - at))::float AS w
              FROM (SELECT request_id, seq, at, {_ACTIVITY} AS activity FROM quality_event) a
              WINDOW w AS (PARTITION BY request_id ORDER BY seq)) s
        GROUP BY activity, next_activity""",
}
# The old references, printed as context: one aggregate each, computing less than the figure.
ONE_AGGREGATE = {
    "one aggregate: time in state": """
        SELECT from_state, COUNT(*), AVG(wall_seconds),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_seconds),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY wall_seconds)
        FROM quality_event WHERE kind = 'transition' AND wall_seconds IS NOT NULL
        GROUP BY from_state""",
    "one aggregate: state edges": """
        SELECT from_state, to_state, COUNT(*), AVG(wall_seconds),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_seconds),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY wall_seconds)
        FROM quality_event WHERE kind = 'transition' AND from_state <> to_state
        GROUP BY from_state, to_state""",
    "one aggregate: directly-follows counts": """
        SELECT activity, next_activity, COUNT(*) FROM (
            SELECT CASE WHEN kind = 'transition' THEN transition ELSE kind END AS activity,
                   LEAD(CASE WHEN kind = 'transition' THEN transition ELSE kind END)
                       OVER (PARTITION BY request_id ORDER BY seq) AS next_activity
            FROM quality_event) s
        WHERE next_activity IS NOT NULL GROUP BY activity, next_activity""",
}
