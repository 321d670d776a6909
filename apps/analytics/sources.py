"""Event logs as one SQL relation (case, activity, time, order, resource, department, kind) for
the process map, variants and exports: the desk's own log, or an imported one."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext as _

from apps.accounts.models import Department
from apps.analytics import scope
from apps.analytics.models import ImportedEvent, ImportedLog
from apps.analytics.sql import json_text_sql
from apps.core.errors import InvalidData
from apps.eventlog.models import Event

# What the process map and variants look at unless told otherwise: the lifecycle.
DEFAULT_KINDS = ("transition",)
COLUMNS = (
    "case_id",
    "activity",
    "at",
    "seq",
    "resource",
    "department",
    "kind",
    "from_state",
    "to_state",
)


@dataclass(frozen=True)
class Source:
    """`sql` selects COLUMNS; `imported` logs have no states, departments or kinds."""

    sql: str
    params: tuple
    imported: bool = False


def activity_sql(vendor: str, alias: str = "e") -> str:
    """A desk event's activity: the transition's name, a handoff's step, or the event kind."""
    step = json_text_sql(vendor, f"{alias}.payload", "step")
    return (
        f"CASE WHEN {alias}.kind = 'transition' THEN {alias}.transition "
        f"WHEN {alias}.kind = 'handoff' THEN 'handoff_' || COALESCE({step}, 'step') "
        f"ELSE {alias}.kind END"
    )


def desk_source(
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    filters: dict | None = None,
    kinds: tuple[str, ...] | None = DEFAULT_KINDS,
) -> Source:
    """The desk's events of the requests submitted in [start, end) that match `filters`
    (whole cases, so no trace is cut), of the given kinds (None: all)."""
    requests = scope.requests_submitted(start, end, filters)
    where, params = [], []
    if start is not None or end is not None or filters:
        sub_sql, sub_params = requests.order_by().values("pk").query.sql_with_params()
        where.append(f"e.request_id IN ({sub_sql})")
        params += sub_params
    if kinds:
        where.append(f"e.kind IN ({', '.join(['%s'] * len(kinds))})")
        params += kinds
    users = get_user_model()._meta.db_table
    sql = (
        f"SELECT e.request_id AS case_id, {activity_sql(connection.vendor)} AS activity, "
        "e.at AS at, e.seq AS seq, COALESCE(u.username, e.actor_role) AS resource, "
        "d.name AS department, e.kind AS kind, e.from_state AS from_state, "
        "e.to_state AS to_state "
        f"FROM {Event._meta.db_table} e "
        f"LEFT JOIN {users} u ON u.id = e.actor_id "
        f"LEFT JOIN {Department._meta.db_table} d ON d.id = e.department_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    return Source(sql, tuple(params))


def imported_source(
    log: ImportedLog | int, *, start: datetime | None = None, end: datetime | None = None
) -> Source:
    """An imported log's events, of the cases whose first event falls in [start, end)."""
    log_id = log.pk if isinstance(log, ImportedLog) else int(log)
    if not ImportedLog.objects.filter(pk=log_id).exists():
        raise InvalidData(
            _("There is no imported log %(log)s.") % {"log": log_id}, fields={"log": _("Unknown.")}
        )
    table = ImportedEvent._meta.db_table
    sql = (
        "SELECT i.case_id AS case_id, i.activity AS activity, i.at AS at, i.seq AS seq, "
        "i.resource AS resource, '' AS department, '' AS kind, '' AS from_state, "
        f"'' AS to_state FROM {table} i WHERE i.log_id = %s"
    )
    params: list = [log_id]
    if start is not None or end is not None:
        having, having_params = [], []
        if start is not None:
            having.append("MIN(f.at) >= %s")
            having_params.append(connection.ops.adapt_datetimefield_value(start))
        if end is not None:
            having.append("MIN(f.at) < %s")
            having_params.append(connection.ops.adapt_datetimefield_value(end))
        sql += (
            f" AND i.case_id IN (SELECT f.case_id FROM {table} f WHERE f.log_id = %s "
            f"GROUP BY f.case_id HAVING {' AND '.join(having)})"
        )
        params += [log_id, *having_params]
    return Source(sql, tuple(params), imported=True)


def source_for(
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    filters: dict | None = None,
    kinds: tuple[str, ...] | None = DEFAULT_KINDS,
    log: ImportedLog | int | None = None,
) -> Source:
    """The desk's log, or the imported `log` (which takes no request filters or kinds)."""
    if log is None:
        return desk_source(start=start, end=end, filters=filters, kinds=kinds)
    if filters:
        raise InvalidData(
            _("An imported log has no departments, agents or categories to filter on."),
            fields={"filters": _("Not for imported logs.")},
        )
    return imported_source(log, start=start, end=end)
