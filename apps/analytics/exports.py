"""Event-log exports streamed in chunks: CSV, XES (IEEE 1849) and OCEL 2.0 JSON, read with a
server-side cursor so a large log never sits in memory."""

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from django.db import connection
from django.utils.dateparse import parse_datetime

from apps.analytics.sources import Source
from apps.lifecycle.reference import REFERENCE_PREFIX

FETCH = 2000
CSV_COLUMNS = (
    "case_id",
    "activity",
    "timestamp",
    "resource",
    "department",
    "lifecycle",
    "seq",
    "kind",
    "from_state",
    "to_state",
)
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xes": ("application/xml; charset=utf-8", "xes"),
    "ocel": ("application/json", "jsonocel"),
}


def _time(value) -> datetime:
    if isinstance(value, str):  # SQLite returns text through a subquery
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def iter_events(source: Source) -> Iterator[dict]:
    """The source's events ordered by case and sequence, with case ids as shown to people
    (request references for the desk) and aware times."""
    sql = f"SELECT * FROM ({source.sql}) ev ORDER BY case_id, seq"
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, source.params)
        names = [c[0] for c in cursor.description]
        while rows := cursor.fetchmany(FETCH):
            for row in rows:
                event = dict(zip(names, row, strict=True))
                event["at"] = _time(event["at"])
                if not source.imported:
                    event["case_id"] = f"{REFERENCE_PREFIX}{event['case_id']:06d}"
                yield event


def _distinct(source: Source, column: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {column} FROM ({source.sql}) ev WHERE {column} IS NOT NULL "
            f"AND {column} <> '' ORDER BY {column}",
            source.params,
        )
        return [row[0] for row in cursor.fetchall()]


def csv_chunks(source: Source) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for n, e in enumerate(iter_events(source), start=1):
        writer.writerow(
            (e["case_id"], e["activity"], iso(e["at"]), e["resource"] or "", e["department"] or "",
             "complete", e["seq"], e["kind"], e["from_state"], e["to_state"])
        )  # fmt: skip
        if n % FETCH == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
<global scope="trace"><string key="concept:name" value="__INVALID__"/></global>
<global scope="event"><string key="concept:name" value="__INVALID__"/><date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/><string key="lifecycle:transition" value="complete"/></global>
<classifier name="Activity" keys="concept:name"/>
<classifier name="Activity and lifecycle" keys="concept:name lifecycle:transition"/>
"""  # noqa: E501  the XES header is copied as pm4py writes it, one element a line


def _xes_string(key: str, value) -> str:
    return f"<string key={quoteattr(key)} value={quoteattr(str(value))}/>" if value else ""


def xes_chunks(source: Source) -> Iterator[str]:
    """One trace per case; events carry concept:name, time:timestamp, lifecycle:transition,
    org:resource, org:group (department) and the desk's kind and states."""
    yield XES_HEAD
    parts, case = [], None
    for e in iter_events(source):
        if e["case_id"] != case:
            if case is not None:
                parts.append("</trace>\n")
            case = e["case_id"]
            parts.append(f"<trace>{_xes_string('concept:name', case)}\n")
        parts.append(
            "<event>"
            + _xes_string("concept:name", e["activity"])
            + f'<date key="time:timestamp" value="{iso(e["at"])}"/>'
            + '<string key="lifecycle:transition" value="complete"/>'
            + _xes_string("org:resource", e["resource"])
            + _xes_string("org:group", e["department"])
            + f'<int key="seq" value="{int(e["seq"])}"/>'
            + _xes_string("kind", e["kind"])
            + _xes_string("from_state", e["from_state"])
            + _xes_string("to_state", e["to_state"])
            + "</event>\n"
        )
        if len(parts) >= FETCH:
            yield "".join(parts)
            parts = []
    if case is not None:
        parts.append("</trace>\n")
    parts.append("</log>\n")
    yield "".join(parts)


EVENT_ATTRIBUTES = ("resource", "department", "lifecycle", "kind", "from_state", "to_state")


def ocel_chunks(source: Source) -> Iterator[str]:
    """OCEL 2.0 JSON: objects are the cases (type `request`) and the departments; each event
    relates to its case (qualifier `case`) and department (`department`)."""
    activities = _distinct(source, "activity")
    departments = _distinct(source, "department")
    head = {
        "objectTypes": [
            {"name": "request", "attributes": []},
            {"name": "department", "attributes": []},
        ],
        "eventTypes": [
            {
                "name": activity,
                "attributes": [{"name": a, "type": "string"} for a in EVENT_ATTRIBUTES],
            }
            for activity in activities
        ],
    }
    yield json.dumps(head)[:-1] + ', "objects": ['
    first = True
    for department in departments:
        yield ("" if first else ",") + json.dumps(_object(f"department:{department}", "department"))
        first = False
    case = None
    for e in iter_events(source):  # the cases, in order, without holding them
        if e["case_id"] != case:
            case = e["case_id"]
            yield ("" if first else ",") + json.dumps(_object(case, "request"))
            first = False
    yield '], "events": ['
    parts: list[str] = []
    for n, e in enumerate(iter_events(source)):
        parts.append(("," if n else "") + json.dumps(_ocel_event(e)))
        if len(parts) >= FETCH:
            yield "".join(parts)
            parts = []
    yield "".join(parts) + "]}"


def _object(object_id: str, kind: str) -> dict:
    return {"id": object_id, "type": kind, "attributes": [], "relationships": []}


def _ocel_event(e: dict) -> dict:
    relationships = [{"objectId": e["case_id"], "qualifier": "case"}]
    if e["department"]:
        relationships.append(
            {"objectId": f"department:{e['department']}", "qualifier": "department"}
        )
    values = {**e, "lifecycle": "complete"}
    return {
        "id": f"{e['case_id']}:{e['seq']}",
        "type": e["activity"],
        "time": iso(e["at"]),
        "attributes": [
            {"name": name, "value": str(values[name])} for name in EVENT_ATTRIBUTES if values[name]
        ],
        "relationships": relationships,
    }


def export_chunks(source: Source, fmt: str) -> Iterator[str]:
    return {"csv": csv_chunks, "xes": xes_chunks, "ocel": ocel_chunks}[fmt](source)
