"""Exports read back by pm4py (a test-only dependency, AGPL): same events, same directly-follows
counts as our process map."""

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from apps.analytics.exports import export_chunks
from apps.analytics.process_map import activity_map
from apps.analytics.sources import desk_source
from apps.demo.history import generate_history
from apps.eventlog.models import Event
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory

pm4py = pytest.importorskip("pm4py")
pandas = pytest.importorskip("pandas")
pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::UserWarning")]


def write(tmp_path, source, fmt: str):
    path = tmp_path / f"log.{fmt}"
    path.write_text("".join(export_chunks(source, fmt)), encoding="utf-8")
    return path


def our_dfg(source) -> dict:
    return {(e["source"], e["target"]): e["frequency"] for e in activity_map(source)["edges"]}


def pm4py_dfg(log, **keys) -> dict:
    dfg, _, _ = pm4py.discover_dfg(log, **keys)
    return dict(dfg)


@pytest.fixture
def generated(office_policy):
    department = DepartmentFactory()
    AgentFactory.create_batch(2, departments=[department])
    CustomerFactory.create_batch(2)
    generate_history(requests=60, days=7, seed=11, now=datetime(2026, 3, 9, tzinfo=UTC))


@pytest.mark.parametrize("built", ["history", "generated"])
def test_csv_xes_and_ocel_match_our_directly_follows_counts(built, request, tmp_path):
    request.getfixturevalue(built)
    source = desk_source(kinds=None)
    expected = our_dfg(source)
    events = Event.objects.count()

    frame = pm4py.format_dataframe(
        pandas.read_csv(write(tmp_path, source, "csv")),
        case_id="case_id",
        activity_key="activity",
        timestamp_key="timestamp",
    )
    assert len(frame) == events
    assert pm4py_dfg(frame) == expected

    xes = pm4py.read_xes(str(write(tmp_path, source, "xes")))
    assert len(xes) == events
    assert pm4py_dfg(xes) == expected

    ocel = pm4py.read_ocel2_json(str(write(tmp_path, source, "ocel")))
    assert len(ocel.events) == events
    flat = pm4py.ocel_flattening(ocel, "request")
    assert pm4py_dfg(flat) == expected


def test_csv_columns_and_case_ids(history):
    text = "".join(export_chunks(desk_source(kinds=None), "csv"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "case_id", "activity", "timestamp", "resource", "department", "lifecycle", "seq",
        "kind", "from_state", "to_state",
    ]  # fmt: skip
    first = rows[0]
    assert first["case_id"].startswith("SR-")
    assert (first["activity"], first["seq"], first["lifecycle"]) == ("submit", "1", "complete")
    assert Counter(r["activity"] for r in rows)["resolve"] == 3


def test_ocel_is_json_with_objects_and_relationships(history):
    document = json.loads("".join(export_chunks(desk_source(), "ocel")))
    types = {o["type"] for o in document["objects"]}
    assert types == {"request", "department"}
    assert {t["name"] for t in document["eventTypes"]} >= {"submit", "resolve", "reopen"}
    assert document["events"][0]["relationships"][0]["qualifier"] == "case"


def test_empty_exports_are_valid(db):
    assert "".join(export_chunks(desk_source(), "csv")).startswith("case_id,activity")
    assert "".join(export_chunks(desk_source(), "xes")).rstrip().endswith("</log>")
    assert json.loads("".join(export_chunks(desk_source(), "ocel")))["events"] == []
