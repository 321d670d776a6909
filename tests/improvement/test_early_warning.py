"""Early warning on the desk's own log: training, the forecast of an open request, the risk
event and notification, "expected by" in the customer API and on the request page, the at-risk
queue, and the evaluation command on the desk's log and on an imported CSV log."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from apps.analytics.importing import ImportOptions, do_import_event_log
from apps.eventlog.models import Event
from apps.improvement.eta.scoring import do_score_open_requests, do_train_eta_model
from apps.improvement.models import RequestForecast
from apps.notifications.models import Notification
from apps.tickets import services
from tests.support.api import client_for

pytestmark = pytest.mark.usefixtures("standard_policy")


@pytest.fixture
def history(desk):
    """Six requests that each took ten hours in progress; the resolution target is 4 h."""
    for _n in range(6):
        desk.resolved_after(10)
    return desk


@pytest.fixture
def late(history):
    """An open request in progress now: like the others it needs about ten hours."""
    desk = history
    request = desk.request_in("in_progress")
    request.refresh_from_db()
    return request


def test_training_and_scoring_warn_early_once(history, late, clock):
    model = do_train_eta_model()
    assert model.cases == 6 and model.samples == 24
    counts = do_score_open_requests()
    assert counts == {"scored": 1, "warned": 1}
    forecast = RequestForecast.objects.get(request=late)
    assert forecast.remaining_seconds == pytest.approx(10 * 3600, rel=0.01)
    assert forecast.expected_at == clock.now + timedelta(seconds=forecast.remaining_seconds)
    assert forecast.risk == 1.0 and forecast.at_risk
    event = Event.objects.filter(request=late).order_by("-seq").first()
    assert event.kind == "breach_risk" and event.payload["risk"] == 1.0
    assert event.to_state == event.from_state == "in_progress"
    note = Notification.objects.get(request=late, kind="breach_risk")
    assert note.recipient == history.lead.user
    # Scored again: the same deadline is not warned twice.
    clock.advance(minutes=5)
    assert do_score_open_requests() == {"scored": 1, "warned": 0}
    call_command("check_event_log", stdout=io.StringIO())


def test_resolved_requests_lose_their_forecast(history, late):
    do_train_eta_model()
    do_score_open_requests()
    services.transition(late, "resolve", actor=history.lead_actor)
    do_score_open_requests()
    assert not RequestForecast.objects.filter(request=late).exists()


def test_a_model_fitted_on_other_columns_is_not_used_until_retrained(history, late):
    """After an upgrade that changes the encoding, the stored model's trees expect other
    columns: it scores nothing (no error) and the next training replaces it."""
    stored = do_train_eta_model()
    stored.params = {**stored.params, "features": stored.params["features"][:-1]}
    stored.save(update_fields=["params"])
    assert do_score_open_requests() == {"scored": 0, "warned": 0}
    do_train_eta_model()
    assert do_score_open_requests()["scored"] == 1


def test_expected_by_in_the_customer_api_and_on_the_request_page(history, late, client):
    do_train_eta_model()
    do_score_open_requests()
    expected = RequestForecast.objects.get(request=late).expected_at
    body = client_for(history.customer.user).get(f"/api/v1/requests/{late.reference}/").json()
    assert body["expected_by"].startswith(expected.strftime("%Y-%m-%dT%H:%M"))
    done = history.resolved_after(1)
    body = client_for(history.customer.user).get(f"/api/v1/requests/{done.reference}/").json()
    assert body["expected_by"] is None

    lead = history.lead.user
    lead.is_superuser = lead.is_staff = True
    lead.save()
    client.force_login(lead)
    page = client.get(f"/admin/tickets/servicerequest/{late.pk}/change/").content.decode()
    assert 'id="request-forecast"' in page and 'data-at-risk="true"' in page
    listing = client.get("/admin/tickets/servicerequest/?queue=at_risk").content.decode()
    assert late.reference in listing
    assert history.resolved_after(1).reference not in listing


def test_forecast_api_lists_the_at_risk_requests(history, late):
    do_train_eta_model()
    do_score_open_requests()
    lead = history.lead.user
    lead.is_staff = True
    lead.save()
    body = client_for(lead).get("/api/v1/improvement/forecasts/?at_risk=true").json()
    assert [row["reference"] for row in body["results"]] == [late.reference]
    model = client_for(lead).get("/api/v1/improvement/eta-model/").json()
    assert model["cases"] == 6
    assert (
        client_for(history.customer.user).get("/api/v1/improvement/forecasts/").status_code == 403
    )


def test_the_evaluation_command_on_the_desk_log(history):
    for _n in range(4):
        history.resolved_after(2)
    out = io.StringIO()
    call_command("evaluate_eta", "--share", "0.6", stdout=out)
    text = out.getvalue()
    assert "cases: 6 train / 4 test" in text
    assert "next-step accuracy" in text and "remaining-time MAE (days)" in text
    assert "markov" in text and "median_by_last_activity" in text


KNOWN_LOG = """case,activity,timestamp
a,start,2026-01-05T09:00:00+00:00
a,done,2026-01-05T11:00:00+00:00
b,start,2026-01-06T09:00:00+00:00
b,done,2026-01-06T13:00:00+00:00
c,start,2026-01-07T09:00:00+00:00
c,done,2026-01-07T11:00:00+00:00
d,start,2026-01-08T09:00:00+00:00
d,done,2026-01-08T17:00:00+00:00
"""


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_evaluation_command_on_an_imported_csv_log(db):
    """Train on a and b (2 h, 4 h), test on c and d (2 h, 8 h): the naive baselines predict
    3 h from the start and 0 at the end (every prefix counts, the full one too): MAE 1.5 h."""
    do_import_event_log(io.StringIO(KNOWN_LOG), name="old desk", options=ImportOptions())
    out = io.StringIO()
    call_command(
        "evaluate_eta", "--log", "old desk", "--share", "0.5", "--min-samples", "1", stdout=out
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("cases: 2 train / 2 test (test cases start from 2026-01-07")
    assert lines[1] == "breach = ended later than 3.0 h after the start"
    assert lines[2].startswith("test breach rate: 0.500")
    accuracy, mae = (
        [line for line in lines if line.strip().startswith("all")][n].split() for n in (0, 1)
    )
    assert accuracy[:2] == ["all", "4"]
    assert accuracy[4] == "1.000"  # Markov: start -> done -> end
    assert float(mae[-1]) == pytest.approx(1.5 / 24, abs=0.001)


def test_the_live_department_counts_match_the_training_sweep(desk, clock):
    """Two requests being worked on by the same agent, then one waiting in the queue: live, the
    waiting one sees two worked on by one busy agent, and a worked-on one sees one waiting, one
    other worked on and the agent still busy; for the request whose event is the latest, the
    training sweep (`attach_load` over the whole log) counts the same."""
    from apps.improvement.eta.context import attach_load
    from apps.improvement.eta.live import attach_live_load
    from apps.improvement.eta.sources import desk_traces

    working = [desk.request_in("in_progress") for _n in range(2)]
    clock.advance(minutes=5)
    waiting = desk.request_in("queued")
    assert working[0].assignee_id == working[1].assignee_id
    live = {t.case: t for t in desk_traces(open_only=True)}
    attach_live_load(list(live.values()))
    assert live[str(waiting.pk)].load[-1][4:] == (0, 2, 0, 1)
    assert live[str(working[0].pk)].load[-1][4:] == (1, 1, 0, 1)
    trained = {t.case: t for t in desk_traces()}
    attach_load(list(trained.values()))
    assert trained[str(waiting.pk)].load[-1] == live[str(waiting.pk)].load[-1]
