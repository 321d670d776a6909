"""The request list's page as one hand-written statement on PostgreSQL: the rows a caller may
see, newest first, with what the list shows of the joined rows and the list's count.

The API's unfiltered request list (`GET /api/v1/requests/`, the call a client polls) spent
about half of its Python in Django building and compiling the page's query (five joins, two
`EXISTS`, the count's subquery) and building three to five model instances a row. Here the
statement is written once per process from the models' `_meta` (table and column names) and
each call only binds its values; each row becomes one `ServiceRequest` (`Model.from_db`, the
documented loading hook) holding the names of its category, department, assignee and
customer in `shown`, which the representation reads instead of related instances
(apps/tickets/api/representation.py). The rows, their order, the count and the rendering are
those of `selectors.list_page_requests_for` read through the ORM:
tests/tickets/test_page_sql.py compares both for customers, agents and supervisors, across
pages and errors, with clocks, files, forecasts, declared files and a merged request; the
model's ordering (`-created_at`) is written here and checked there. Filtered lists and other
databases keep the ORM (`request_page_source` returns None).
"""

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Field, Model, OneToOneRel
from django.db.models.options import Options

from apps.accounts.actors import Actor, Role
from apps.core.prefetch import set_absent
from apps.sla.models import SLAClock
from apps.tickets import extensions
from apps.tickets.models import Attachment, Message, ServiceRequest, Visibility
from apps.tickets.selectors import NOT_ON_A_PAGE, page_database

_PERSON_NAMES = ("first_name", "last_name")


@dataclass(frozen=True)
class _Statement:
    """The page's SQL for one kind of reader, and how to read its rows back."""

    select: str  # the page: `{where}` twice (the rows' and the count's), then LIMIT and OFFSET
    count: str  # the count alone (an empty page, or "last")
    own: tuple[str, ...]  # the request's attnames, in the order selected
    converters: tuple[tuple[int, Any], ...]  # (position, field) needing `from_db_value`
    related: tuple[tuple[str, type[Model], tuple[str, ...]], ...]  # other apps' one-to-one rows


def request_page_source(actor: Actor) -> "RequestPageSource | None":
    """The caller's unfiltered request list as a source for the API's paginator, or None where
    the ORM's queryset must serve it (not PostgreSQL; callers who are neither a customer nor
    an agent; inside a transaction of the default connection, read through it)."""
    alias = page_database()
    if connections[alias].vendor != "postgresql":
        return None
    if actor.role == Role.CUSTOMER and actor.customer_id is not None:
        return RequestPageSource(alias, actor, "r.customer_id = %s", [actor.customer_id])
    if actor.role == Role.AGENT:
        if actor.is_supervisor:
            return RequestPageSource(alias, actor, "TRUE", [])
        if actor.department_ids:
            where = "(r.department_id = ANY(%s) OR r.department_id IS NULL)"
            return RequestPageSource(alias, actor, where, [sorted(actor.department_ids)])
        return RequestPageSource(alias, actor, "r.department_id IS NULL", [])
    return None


class RequestPageSource:
    """What the paginator reads a page from (apps/api/pagination.py): `page_with_count`, and
    `count()` with slicing as Django's `Paginator` uses them for an empty page."""

    ordered = True  # newest first, as the model's ordering

    def __init__(self, alias: str, actor: Actor, where: str, params: list) -> None:
        self.alias, self.where, self.params = alias, where, params
        self.statement = _statement(actor.role == Role.AGENT, extensions.related_one_to_one())

    def page_with_count(self, offset: int, limit: int) -> tuple[list[ServiceRequest], int]:
        """The rows from `offset` (at most `limit`) and the list's count; (`[]`, 0) past the
        end (the count is read with the rows)."""
        sql = self.statement.select.format(where=self.where)
        rows = self._read(sql, [*self.params, *self.params, limit, offset])
        if not rows:
            return [], 0
        return [self._request(row) for row in rows], rows[0][-1]

    def count(self) -> int:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.statement.count.format(where=self.where), self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, rows: slice) -> list[ServiceRequest]:
        found, _ = self.page_with_count(rows.start or 0, rows.stop - (rows.start or 0))
        return found

    def _read(self, sql: str, params: list) -> list[tuple]:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _request(self, row: tuple) -> ServiceRequest:
        statement = self.statement
        width = len(statement.own)
        values = list(row[:width])
        connection = connections[self.alias]
        for position, field in statement.converters:
            values[position] = field.from_db_value(values[position], None, connection)
        request = ServiceRequest.from_db(self.alias, statement.own, values)
        (cat_id, cat_name, dep_id, dep_name, assignee_id, a_first, a_last, a_login) = row[
            width : width + 8
        ]
        (customer_id, c_first, c_last, c_login, has_clocks, has_files) = row[width + 8 : width + 14]
        # Attributes of this row only, as the ORM's annotations are (`has_clocks`, `has_files`).
        vars(request).update(
            shown={
                "category": None if cat_id is None else {"id": cat_id, "name": cat_name},
                "department": None if dep_id is None else {"id": dep_id, "name": dep_name},
                "assignee": _person(assignee_id, a_first, a_last, a_login),
                "customer": _person(customer_id, c_first, c_last, c_login),
            },
            has_clocks=has_clocks,
            has_files=has_files,
        )
        at = width + 14
        for name, model, attnames in statement.related:
            other = row[at : at + len(attnames)]
            at += len(attnames)
            if other[0] is None:
                set_absent(request, name)
            else:
                setattr(request, name, model.from_db(self.alias, attnames, other))
        return request


def _person(pk, first_name, last_name, login) -> dict | None:
    """`PersonSerializer`'s {id, name}: Django's `get_full_name()` (the names joined and
    stripped), else the user name."""
    if pk is None:
        return None
    return {"id": pk, "name": f"{first_name} {last_name}".strip() or login}


@cache
def _statement(agent: bool, related: tuple[str, ...]) -> _Statement:
    """The page's SQL for an agent (every file counts) or another reader (files of internal
    notes do not), with the other apps' one-to-one rows `related`; written once a process."""
    user_model = get_user_model()
    user = user_model._meta
    login = cast(Field, user.get_field(user_model.USERNAME_FIELD)).column
    request = ServiceRequest._meta
    own = [f for f in request.concrete_fields if f.name not in NOT_ON_A_PAGE]
    category = _related(request, "category")
    department = _related(request, "department")
    agent_meta = _related(request, "assignee")
    customer = _related(request, "customer")
    clocks = SLAClock._meta
    files = Attachment._meta
    columns = [f"r.{f.column}" for f in own]
    columns += ["c.id", "c.name", "d.id", "d.name", "a.id"]
    columns += [f"au.{n}" for n in _PERSON_NAMES] + [f"au.{login}", "cu.id"]
    columns += [f"cuu.{n}" for n in _PERSON_NAMES] + [f"cuu.{login}"]
    visible = ""
    if not agent:  # selectors.attachments_visible_q: no file of an internal note
        message = Message._meta
        visible = (
            f" AND (f.message_id IS NULL OR EXISTS (SELECT 1 FROM {message.db_table} m"
            f" WHERE m.id = f.message_id AND m.visibility = '{Visibility.PUBLIC.value}'))"
        )
    columns += [
        f"EXISTS (SELECT 1 FROM {clocks.db_table} k WHERE k.request_id = r.id)",
        f"EXISTS (SELECT 1 FROM {files.db_table} f WHERE f.request_id = r.id{visible})",
    ]
    joins = [
        f"INNER JOIN {customer.db_table} cu ON cu.id = r.customer_id",
        f"INNER JOIN {user.db_table} cuu ON cuu.id = cu.user_id",
        f"LEFT OUTER JOIN {category.db_table} c ON c.id = r.category_id",
        f"LEFT OUTER JOIN {department.db_table} d ON d.id = r.department_id",
        f"LEFT OUTER JOIN {agent_meta.db_table} a ON a.id = r.assignee_id",
        f"LEFT OUTER JOIN {user.db_table} au ON au.id = a.user_id",
    ]
    others = []
    for number, name in enumerate(related):
        relation = cast(OneToOneRel, request.get_field(name))
        model = relation.related_model
        meta = model._meta
        fields = [meta.pk, *(f for f in meta.concrete_fields if f is not meta.pk)]
        columns += [f"o{number}.{f.column}" for f in fields]
        joins.append(
            f"LEFT OUTER JOIN {meta.db_table} o{number} ON o{number}.{relation.field.column} = r.id"
        )
        others.append((name, model, tuple(f.attname for f in fields)))
    table = request.db_table
    count = f"SELECT COUNT(*) FROM {table} r WHERE {{where}}"
    select = (
        f"SELECT {', '.join(columns)}, ({count}) FROM {table} r {' '.join(joins)}"
        f" WHERE {{where}} ORDER BY r.created_at DESC LIMIT %s OFFSET %s"
    )
    return _Statement(
        select=select,
        count=count,
        own=tuple(f.attname for f in own),
        converters=tuple((i, f) for i, f in enumerate(own) if hasattr(f, "from_db_value")),
        related=tuple(others),
    )


def _related(meta: Options, name: str) -> Options:
    """The `_meta` of the model a foreign key of `meta` points to."""
    return cast(type[Model], meta.get_field(name).related_model)._meta
