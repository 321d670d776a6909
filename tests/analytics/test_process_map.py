"""The process map, variants and bottleneck on the known history of conftest.py."""

import pytest

from apps.analytics.process_map import bottleneck, process_map, variants
from apps.core.errors import InvalidData
from tests.support.analytics import PERIOD

pytestmark = pytest.mark.django_db


def edges_of(graph) -> dict:
    return {(e["source"], e["target"]): e for e in graph["edges"]}


def test_state_map_edges_frequencies_and_waits(history):
    graph = process_map(**PERIOD, view="states")
    edges = edges_of(graph)
    assert graph["cases"] == 5
    assert {pair: e["frequency"] for pair, e in edges.items()} == {
        ("start", "new"): 5,
        ("new", "queued"): 3,
        ("new", "bot_answered"): 1,
        ("new", "cancelled"): 1,
        ("queued", "assigned"): 2,
        ("assigned", "in_progress"): 2,
        ("in_progress", "pending_customer"): 1,
        ("pending_customer", "in_progress"): 1,
        ("in_progress", "resolved"): 3,
        ("bot_answered", "resolved"): 1,
        ("resolved", "in_progress"): 1,
    }
    # Routed after 10 min (A) and at once (C, D).
    assert edges[("new", "queued")]["wait"]["median"] == 0.0
    assert edges[("new", "queued")]["wait"]["mean"] == 200.0
    # Assigned: A 20 min, C 40 min (its reassignment stays in the state).
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes["assigned"]["wait"]["median"] == 1800.0
    assert nodes["in_progress"]["frequency"] == 4  # started twice, resumed, reopened
    assert nodes["pending_customer"]["business_wait"]["median"] == 4200.0


def test_activity_map_directly_follows(history):
    graph = process_map(**PERIOD, view="activities")
    counts = {pair: e["frequency"] for pair, e in edges_of(graph).items()}
    assert counts[("submit", "route")] == 3
    assert counts[("assign", "reassign")] == 1
    assert counts[("resolve", "reopen")] == 1
    assert counts[("reopen", "resolve")] == 1
    assert sum(counts.values()) == 23 - 5  # 23 transitions in 5 cases
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes["submit"]["starts"] == 5
    assert nodes["resolve"] == {"id": "resolve", "frequency": 3, "starts": 0, "ends": 2}
    # A waited 17 h 10 min for the customer's reply.
    assert edges_of(graph)[("request_info", "customer_reply")]["wait"]["median"] == 61800.0


def test_activity_map_of_every_kind_includes_handoff_steps_and_messages(history):
    graph = process_map(**PERIOD, view="activities", kinds=None)
    counts = {pair: e["frequency"] for pair, e in edges_of(graph).items()}
    assert counts[("handoff_requested", "handoff_bounced")] == 1
    assert any(source == "message" for source, _ in counts)


def test_variants(history):
    found = variants(**PERIOD)
    assert found["cases"] == 5
    assert found["variant_count"] == 5
    paths = {tuple(v["activities"]): v for v in found["variants"]}
    deflected = paths[("submit", "propose_answer", "accept_answer")]
    assert deflected["cases"] == 1
    assert deflected["share"] == 0.2
    assert deflected["mean_seconds"] == 600.0
    assert variants(**PERIOD, limit=2)["variants"].__len__() == 2


def test_bottleneck_is_the_longest_median_wait(history):
    found = bottleneck(**PERIOD, min_cases=1)
    assert found["state"] == "pending_customer"
    assert found["min_cases"] == 1 and found["count"] >= 1
    assert found["median"] == 61800.0
    assert [p["state"] for p in found["ranking"]][:2] == ["pending_customer", "in_progress"]


def test_filters_and_empty(history):
    graph = process_map(**PERIOD, filters={"department": history.desk.department.pk})
    assert graph["cases"] == 3
    assert process_map(start=PERIOD["end"], view="states") == {
        "view": "states",
        "cases": 0,
        "nodes": [],
        "edges": [],
    }
    assert bottleneck(start=PERIOD["end"]) is None
    assert variants(start=PERIOD["end"]) == {"cases": 0, "variant_count": 0, "variants": []}
    with pytest.raises(InvalidData):
        process_map(view="petri")
