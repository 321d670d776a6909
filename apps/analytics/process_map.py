"""The process map: directly-follows graphs of states and of activities with frequencies and
waiting times, the most common variants, and the bottleneck. One SQL query each."""

from datetime import datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.analytics import scope
from apps.analytics.models import ImportedLog
from apps.analytics.sources import DEFAULT_KINDS, Source, source_for
from apps.analytics.sql import ordered_concat_sql, quantiles_sql, seconds_sql, stats
from apps.core.errors import InvalidData
from apps.eventlog.models import Event, EventKind
from apps.lifecycle.states import State

START = "start"  # the node before a request's first state
# States where a request waits for the desk; resolved and the terminal states are not
# bottlenecks (nobody works a request there).
NOT_BOTTLENECKS = {"", State.RESOLVED, State.CLOSED, State.CANCELLED}
SEPARATOR = "\x1f"


def _fetch(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def process_map(
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    filters: dict | None = None,
    view: str = "states",
    kinds: tuple[str, ...] | None = DEFAULT_KINDS,
    log: ImportedLog | int | None = None,
) -> dict:
    """The directly-follows graph of the requests submitted in [start, end) matching `filters`
    (or of an imported `log`): `view="states"` (the desk's states, waiting = time in the
    state left) or `"activities"` (events of `kinds`, None for all; waiting = time between
    consecutive events). Returns {"view", "cases", "nodes": [...], "edges": [...]}.

    Raises InvalidData for an unknown view, or the states view of an imported log.
    """
    if view == "states":
        if log is not None:
            raise InvalidData(
                _("An imported log has activities, not states."), fields={"view": "activities"}
            )
        return _state_map(start, end, filters)
    if view != "activities":
        raise InvalidData(
            _("Unknown view '%(view)s'.") % {"view": view}, fields={"view": "states or activities"}
        )
    return activity_map(source_for(start=start, end=end, filters=filters, kinds=kinds, log=log))


def _state_map(start, end, filters) -> dict:
    requests = scope.requests_submitted(start, end, filters)
    scoped = start is not None or end is not None or bool(filters)
    found = _state_rows(requests if scoped else None)
    rows = [row for row in found if row["to_state"] is not None]
    waits = {row["from_state"]: row for row in found if row["to_state"] is None}
    edges = [
        {
            "source": row["from_state"] or START,
            "target": row["to_state"],
            "frequency": row["frequency"],
            "cases": row["cases"],
            "wait": stats("wall", row),
            "business_wait": stats("business", row),
        }
        for row in rows
    ]
    entered: dict[str, int] = {}
    for row in rows:
        entered[row["to_state"]] = entered.get(row["to_state"], 0) + row["frequency"]
    nodes = [{"id": START, "frequency": sum(r["frequency"] for r in rows if not r["from_state"])}]
    for state in sorted(entered, key=lambda s: -entered[s]):
        row = waits.get(state, {})
        nodes.append(
            {
                "id": state,
                "frequency": entered[state],
                "wait": stats("wall", row),
                "business_wait": stats("business", row),
            }
        )
    return {
        "view": "states",
        "cases": requests.count(),
        "nodes": nodes if len(nodes) > 1 else [],
        "edges": sorted(edges, key=lambda e: (-e["frequency"], e["source"], e["target"])),
    }


def _state_rows(requests: QuerySet | None) -> list[dict]:
    """The transitions that change the state (of `requests`; None: all), counted and timed per
    edge (from_state, to_state) and per state left (to_state None): one pass with GROUPING
    SETS on PostgreSQL, two grouped queries on SQLite (which has no GROUPING SETS)."""
    vendor = connection.vendor
    where, params = ["e.kind = %s", "e.from_state <> e.to_state"], [EventKind.TRANSITION]
    if requests is not None:
        sub_sql, sub_params = requests.order_by().values("pk").query.sql_with_params()
        where.append(f"e.request_id IN ({sub_sql})")
        params += sub_params
    figures = (
        "COUNT(*) AS frequency, COUNT(DISTINCT e.request_id) AS cases, "
        f"COUNT(e.wall_seconds) AS wall_count, AVG(e.wall_seconds) AS wall_mean, "
        f"{quantiles_sql(vendor, 'e.wall_seconds')} AS wall_quantiles, "
        f"COUNT(e.business_seconds) AS business_count, "
        f"AVG(e.business_seconds) AS business_mean, "
        f"{quantiles_sql(vendor, 'e.business_seconds')} AS business_quantiles"
    )
    events = f"{Event._meta.db_table} e WHERE {' AND '.join(where)}"
    if vendor == "postgresql":
        sql = (
            f"SELECT e.from_state AS from_state, e.to_state AS to_state, {figures} "
            f"FROM {events} GROUP BY GROUPING SETS ((e.from_state, e.to_state), (e.from_state))"
        )
    else:
        sql = (
            f"SELECT e.from_state AS from_state, e.to_state AS to_state, {figures} "
            f"FROM {events} GROUP BY e.from_state, e.to_state UNION ALL "
            f"SELECT e.from_state, NULL, {figures} FROM {events} GROUP BY e.from_state"
        )
        params += params
    return _fetch(sql, params)


def activity_map(source: Source) -> dict:
    """The directly-follows graph of a source's activities, with start and end counts."""
    vendor = connection.vendor
    wait = "w"
    sql = f"""
        WITH ev AS ({source.sql}),
        steps AS (
            SELECT case_id, activity,
                   LEAD(activity) OVER (PARTITION BY case_id ORDER BY seq) AS next_activity,
                   LAG(activity) OVER (PARTITION BY case_id ORDER BY seq) AS prev_activity,
                   {seconds_sql(vendor, "LEAD(at) OVER (PARTITION BY case_id ORDER BY seq)", "at")}
                       AS {wait}
            FROM ev
        )
        SELECT activity, next_activity, COUNT(*) AS frequency,
               COUNT(DISTINCT case_id) AS cases,
               SUM(CASE WHEN prev_activity IS NULL THEN 1 ELSE 0 END) AS starts,
               COUNT({wait}) AS wall_count, AVG({wait}) AS wall_mean,
               {quantiles_sql(vendor, wait)} AS wall_quantiles
        FROM steps GROUP BY activity, next_activity
    """
    nodes: dict[str, dict] = {}
    edges, cases = [], 0
    for row in _fetch(sql, source.params):
        node = nodes.setdefault(
            row["activity"], {"id": row["activity"], "frequency": 0, "starts": 0, "ends": 0}
        )
        node["frequency"] += row["frequency"]
        node["starts"] += row["starts"]
        cases += row["starts"]
        if row["next_activity"] is None:
            node["ends"] += row["frequency"]
            continue
        edges.append(
            {
                "source": row["activity"],
                "target": row["next_activity"],
                "frequency": row["frequency"],
                "cases": row["cases"],
                "wait": stats("wall", row),
            }
        )
    return {
        "view": "activities",
        "cases": cases,
        "nodes": sorted(nodes.values(), key=lambda n: (-n["frequency"], n["id"])),
        "edges": sorted(edges, key=lambda e: (-e["frequency"], e["source"], e["target"])),
    }


def variants(
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    filters: dict | None = None,
    kinds: tuple[str, ...] | None = DEFAULT_KINDS,
    log: ImportedLog | int | None = None,
    limit: int = 10,
) -> dict:
    """The most common paths (sequences of activities) with their case counts, share and mean
    throughput time. Returns {"cases", "variant_count", "variants": [...]}."""
    source = source_for(start=start, end=end, filters=filters, kinds=kinds, log=log)
    vendor = connection.vendor
    # SQLite's group_concat follows the order of the rows it reads (sorted in the subquery).
    rows_in = "ev" if vendor == "postgresql" else "(SELECT * FROM ev ORDER BY case_id, seq) o"
    sql = f"""
        WITH ev AS ({source.sql}),
        paths AS (
            SELECT case_id, {ordered_concat_sql(vendor, "activity", "seq")} AS path,
                   {seconds_sql(vendor, "MAX(at)", "MIN(at)")} AS duration
            FROM {rows_in} GROUP BY case_id
        )
        SELECT path, COUNT(*) AS cases, AVG(duration) AS mean_seconds,
               SUM(COUNT(*)) OVER () AS all_cases, COUNT(*) OVER () AS variant_count
        FROM paths GROUP BY path ORDER BY COUNT(*) DESC, path LIMIT %s
    """
    rows = _fetch(sql, (*source.params, SEPARATOR, int(limit)))
    total = int(rows[0]["all_cases"]) if rows else 0
    return {
        "cases": total,
        "variant_count": int(rows[0]["variant_count"]) if rows else 0,
        "variants": [
            {
                "activities": row["path"].split(SEPARATOR),
                "cases": row["cases"],
                "share": round(row["cases"] / total, 4),
                "mean_seconds": round(float(row["mean_seconds"] or 0), 3),
            }
            for row in rows
        ],
    }


def bottleneck(
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    filters: dict | None = None,
    log: ImportedLog | int | None = None,
    min_cases: int | None = None,
) -> dict | None:
    """Where requests wait longest: the state (or, for an imported log, the directly-follows
    step) with the highest median waiting time, and the ranking behind it; None without data.
    Places with fewer than `min_cases` waits (setting SERVICEDESK_BOTTLENECK_MIN_CASES, 5)
    are left out of the ranking; `count` says how many waits the answer rests on, `ignored`
    how many places were too thin to rank."""
    least = min_cases if min_cases is not None else bottleneck_min_cases()
    if log is None:
        graph = process_map(start=start, end=end, filters=filters, view="states")
        places = [
            {"state": n["id"], **n["wait"], "business_median": n["business_wait"]["median"]}
            for n in graph["nodes"]
            if n["id"] not in NOT_BOTTLENECKS and n.get("wait", {}).get("median") is not None
        ]
    else:
        graph = process_map(start=start, end=end, view="activities", log=log)
        places = [
            {"step": [e["source"], e["target"]], **e["wait"]}
            for e in graph["edges"]
            if e["wait"]["median"] is not None
        ]
    enough = [p for p in places if p["count"] >= least]
    if not enough:
        return None
    ranking = sorted(enough, key=lambda p: (-p["median"], -(p["p90"] or 0)))
    return {
        **ranking[0],
        "ranking": ranking,
        "min_cases": least,
        "ignored": len(places) - len(enough),
    }


def bottleneck_min_cases() -> int:
    from django.conf import settings

    return int(getattr(settings, "SERVICEDESK_BOTTLENECK_MIN_CASES", 5))
