"""The analytics API: staff only, parameters checked, figures as the functions give them."""

import json

import pytest
from rest_framework.test import APIClient

from tests.analytics.test_import import imported
from tests.factories import UserFactory
from tests.support.analytics import PERIOD
from tests.support.api import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::UserWarning")]
RANGE = {"start": PERIOD["start"].isoformat(), "end": PERIOD["end"].isoformat()}


@pytest.fixture
def staff():
    return client_for(UserFactory(is_staff=True))


def get(client, tail, **params):
    return client.get(f"/api/v1/analytics/{tail}", params)


def test_only_staff_see_the_figures(customer):
    assert get(APIClient(), "metrics/").status_code == 401
    assert get(client_for(customer.user), "metrics/").status_code == 403
    assert get(client_for(customer.user), "export/").status_code == 403


def test_metrics(staff, history):
    body = get(staff, "metrics/", **RANGE).json()
    (row,) = body["results"]
    assert row["volume"]["created"] == 5
    assert row["resolution"]["business"]["median"] == 6600.0
    department = history.desk.department.pk
    grouped = get(staff, "metrics/", **RANGE, group_by="channel", department=department).json()
    assert [r["volume"]["created"] for r in grouped["results"]] == [3]


def test_bad_parameters_are_400_with_the_field(staff, db):
    response = get(staff, "metrics/", group_by="colour")
    assert response.status_code == 400
    assert "group_by" in response.json()["error"]["fields"]
    assert get(staff, "metrics/", start="2026-03-04", end="2026-03-01").status_code == 400
    assert get(staff, "metrics/", start="yesterday").status_code == 400
    assert get(staff, "metrics/", priority="1,9").status_code == 400
    assert get(staff, "process-map/", view="petri").status_code == 400


def test_dates_without_time_and_lists(staff, history):
    body = get(staff, "metrics/", start="2026-03-02", end="2026-03-04", priority="1,2,3,4").json()
    assert body["results"][0]["volume"]["created"] == 5


def test_series_process_map_variants_bottleneck(staff, history):
    series = get(staff, "series/", **RANGE, tz="UTC").json()["results"]
    assert [p["day"] for p in series] == ["2026-03-02", "2026-03-03"]
    states = get(staff, "process-map/", **RANGE).json()
    assert states["cases"] == 5
    activities = get(staff, "process-map/", **RANGE, view="activities", kinds="all").json()
    assert any(e["source"] == "handoff_requested" for e in activities["edges"])
    assert len(get(staff, "variants/", **RANGE, limit=2).json()["variants"]) == 2
    found = get(staff, "bottleneck/", **RANGE).json()["bottleneck"]
    # The one customer wait (the longest) rests on too few cases to rank (fewer than 5).
    assert found["min_cases"] == 5 and found["ignored"] >= 1
    assert "pending_customer" not in [place["state"] for place in found["ranking"]]
    assert found["count"] >= 5


def test_exports_stream(staff, history):
    response = get(staff, "export/", **RANGE)
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="event-log-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("case_id,activity,timestamp,resource,department,lifecycle")
    assert text.count("\n") == 1 + sum(len(r.events.all()) for r in history.requests.values())
    ocel = get(staff, "export/", **RANGE, log_format="ocel")
    document = json.loads(b"".join(ocel.streaming_content))
    assert len(document["events"]) == text.count("\n") - 1
    xes = b"".join(get(staff, "export/", log_format="xes").streaming_content).decode()
    assert xes.rstrip().endswith("</log>")


def test_imported_logs(staff, db):
    log = imported()
    listed = get(staff, "imports/").json()["results"]
    assert [(r["id"], r["event_count"]) for r in listed] == [(log.pk, 10)]
    found = get(staff, "variants/", log=log.pk).json()
    assert found["variants"][0]["cases"] == 2
    assert get(staff, "process-map/", log=log.pk).status_code == 400  # no states
    assert get(staff, "process-map/", log=log.pk, view="activities").json()["cases"] == 3
    assert get(staff, "bottleneck/", log=log.pk).json()["bottleneck"] is None  # too few cases
    found = get(staff, "bottleneck/", log=log.pk, min_cases=1).json()["bottleneck"]
    assert found["step"] == ["check", "check"] and found["count"] == 1
    assert get(staff, "variants/", log=999).status_code == 400
    csv = b"".join(get(staff, "export/", log=log.pk).streaming_content).decode()
    assert csv.splitlines()[1].startswith("c1,register,2025-01-06T09:00:00.000+00:00,ann")


def test_metrics_and_series_refuse_an_imported_log(staff, db):
    for tail in ("metrics/", "series/"):
        response = get(staff, tail, log=1)
        assert response.status_code == 400
        assert "log" in response.json()["error"]["fields"]


def test_imported_logs_have_an_admin_page(db, client):
    import io

    from apps.analytics.importing import do_import_event_log

    log = do_import_event_log(
        io.StringIO("case,activity,timestamp\nc1,a,2025-01-06T09:00:00+00:00\n"), name="old"
    )
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/admin/analytics/importedlog/")
    assert listing.status_code == 200 and "old" in listing.content.decode()
    assert client.get(f"/admin/analytics/importedlog/{log.pk}/change/").status_code == 200
    assert client.get("/admin/analytics/importedevent/").status_code == 200
