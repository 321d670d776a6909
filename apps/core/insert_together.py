"""Inserting a new row and the new rows that point to it in one SQL statement.

A create writes the request, its `submit` event and, when an SLA policy matches, its clocks and
their events. As statements of their own that is BEGIN, an INSERT per table and COMMIT: four
to six round trips to the database, most of a create's waiting in a web worker
(docs/performance.md). PostgreSQL runs data-modifying common table expressions as one
statement, atomic on its own:

    WITH parent AS (INSERT INTO request (...) VALUES (...) RETURNING id),
         rows_1 AS (INSERT INTO event (request_id, ...) VALUES ((SELECT id FROM parent), ...)
                    RETURNING id), ...
    SELECT 0, id FROM parent UNION ALL SELECT 1, id FROM rows_1 ...

Each INSERT is Django's own SQL (its insert compiler, with the fields' `pre_save`), so the
columns follow the models; the children's link to the parent is the subquery. What Django's
`save()` adds besides is not wanted here: no model in it has save signals or a `save()` of its
own that does more than insert. Other databases (SQLite, the embedded default) get the same rows
saved one table after another in a transaction."""

from collections.abc import Sequence
from itertools import chain
from typing import Any

from django.db import connection, transaction
from django.db.models import ForeignKey, Model
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery

PARENT = "parent"


def insert_together(parent: Model, children: Sequence[Sequence[Model]]) -> None:
    """Insert `parent`, then each list of `children` (rows of one model each, whose foreign key
    to the parent's model is set to the unsaved parent), atomically; set their primary keys
    and links as `save()` would."""
    groups = [rows for rows in children if rows]
    links = [_link_to(type(parent), type(rows[0])) for rows in groups]
    if connection.vendor == "postgresql":
        _in_one_statement(parent, groups, links)
    else:
        with transaction.atomic():
            parent.save(force_insert=True)
            for rows, link in zip(groups, links, strict=True):
                for row in rows:
                    setattr(row, link.attname, parent.pk)
                type(rows[0])._default_manager.bulk_create(rows)
    for rows, link in zip(groups, links, strict=True):
        for row in rows:
            setattr(row, link.name, parent)  # the id and the cached parent, as `save()` leaves them


def _in_one_statement(
    parent: Model, groups: list[Sequence[Model]], links: list[ForeignKey[Any, Any]]
) -> None:
    parts: list[str] = []
    params: list[Any] = []
    sql, part_params = _insert_sql([parent])
    parts.append(f"{PARENT} AS ({sql})")
    params.extend(part_params)
    reference = RawSQL(f'SELECT "{parent._meta.pk.column}" FROM {PARENT}', ())
    for number, (rows, link) in enumerate(zip(groups, links, strict=True), start=1):
        for row in rows:
            setattr(row, link.attname, reference)
        sql, part_params = _insert_sql(rows)
        parts.append(f"rows_{number} AS ({sql})")
        params.extend(part_params)
    selects = [f"SELECT 0, * FROM {PARENT}"] + [
        f"SELECT {number}, * FROM rows_{number}" for number in range(1, len(groups) + 1)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} {' UNION ALL '.join(selects)}", params)
        returned = cursor.fetchall()
    by_group: list[list[Any]] = [[] for _ in range(len(groups) + 1)]
    for group, pk in returned:
        by_group[group].append(pk)
    for row, pk in zip(chain([parent], *groups), chain(*by_group), strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = connection.alias


def _insert_sql(rows: Sequence[Model]) -> tuple[str, tuple[Any, ...]]:
    """Django's INSERT of `rows` (one model) with `RETURNING` the primary key, as `save()` and
    `bulk_create()` build it."""
    meta = rows[0]._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    query = InsertQuery(type(rows[0]))
    query.insert_values(fields, list(rows))
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, params


def _link_to(parent_model: type[Model], child_model: type[Model]) -> ForeignKey[Any, Any]:
    """The child model's one foreign key to the parent's model."""
    [link] = [
        f
        for f in child_model._meta.concrete_fields
        if isinstance(f, ForeignKey) and f.related_model is parent_model
    ]
    return link
