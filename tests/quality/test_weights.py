"""KPI weights: their history (a past period keeps the weights then in force), the admin that
records it, and the entropy weighting suggested by the data."""

import math
from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.quality.entropy import entropy_weights, suggested_weights
from apps.quality.models import KPIIndicator, KpiWeight
from apps.quality.scores import department_scores, indicator_specs
from apps.quality.weights import FAR_PAST, set_weight, weights_on
from tests.factories import UserFactory
from tests.paths import Desk
from tests.quality.history import resolve_daily

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def test_entropy_weights_equal_the_textbook_values():
    # A rises 1, 2, 3 (higher is better): scaled 0, 1/2, 1, shares 0, 1/3, 2/3,
    # e = (1/3 ln 3 + 2/3 ln 3/2) / ln 3 = 0.579380. B falls 4, 2, 2 (lower is better): scaled
    # 0, 1, 1, shares 0, 1/2, 1/2, e = ln 2 / ln 3 = 0.630930. C never moves: d = 0.
    weights = entropy_weights(
        {"a": [1, 2, 3], "b": [4, 2, 2], "c": [5, 5, 5]}, {"a": True, "b": False, "c": True}
    )
    d_a = 1 - (math.log(3) / 3 + 2 / 3 * math.log(1.5)) / math.log(3)
    d_b = 1 - math.log(2) / math.log(3)
    assert weights["a"] == pytest.approx(d_a / (d_a + d_b)) == pytest.approx(0.532639, abs=1e-6)
    assert weights["b"] == pytest.approx(0.467361, abs=1e-6)
    assert weights["c"] == pytest.approx(0.0)


def test_entropy_weights_when_nothing_varies():
    assert entropy_weights({"a": [2, 2], "b": [1]}, {"a": True, "b": True}) == {"a": 0.0, "b": 0.0}


@pytest.mark.django_db
def test_migration_seeded_the_history_of_the_starting_indicators():
    seeded = KPIIndicator.objects.all()
    assert seeded.exists()
    assert weights_on(FAR_PAST) == {ind.pk: ind.weight for ind in seeded}


@pytest.fixture
def march(customer, clock, standard_policy):
    """Three requests resolved a day, four hours each, the first days of March 2026; only two
    indicators active: requests resolved (target 5) and mean resolution time (target 2 h)."""
    KPIIndicator.objects.all().delete()
    desk = Desk(customer)
    resolve_daily(desk, clock, [4.0, 4.0, 4.0])
    resolved = KPIIndicator.objects.create(metric="resolved", target=5, weight=1)
    hours = KPIIndicator.objects.create(metric="resolution_hours", target=2, weight=1)
    return desk, resolved, hours


def _score(desk, first, after):
    return department_scores(first, after, department_id=desk.department.pk)[0]


@pytest.mark.django_db
def test_a_past_period_keeps_the_weights_then_in_force(march):
    desk, resolved, _hours = march
    before = _score(desk, MARCH, APRIL)
    set_weight(resolved, 3.0, effective_from=APRIL)
    after = _score(desk, MARCH, APRIL)
    assert after == before
    assert {r["metric"]: r["weight"] for r in after["indicators"]} == {
        "resolved": 1.0,
        "resolution_hours": 1.0,
    }
    # The same change effective from March reweighs March.
    set_weight(resolved, 3.0, effective_from=MARCH)
    reweighed = _score(desk, MARCH, APRIL)
    rows = {r["metric"]: r for r in reweighed["indicators"]}
    assert rows["resolved"]["weight"] == 3.0
    expected = (3 * rows["resolved"]["achievement"] + rows["resolution_hours"]["achievement"]) / 4
    assert reweighed["score"] == pytest.approx(round(100 * expected, 1))
    assert reweighed["score"] != before["score"]
    assert [w.weight for w in resolved.weights.order_by("effective_from")] == [1.0, 3.0, 3.0]


@pytest.mark.django_db
def test_admin_change_adds_a_history_row_and_keeps_the_past(client, march):
    _desk, resolved, _hours = march
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/quality/kpiindicator/{resolved.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "Weight history" in page.content.decode()
    form = {
        "metric": "resolved",
        "department": "",
        "target": "5",
        "weight": "2.5",
        "weight_from": "2026-04-01",
        "active": "on",
        "weights-TOTAL_FORMS": "0",
        "weights-INITIAL_FORMS": "0",
    }
    assert client.post(url, form).status_code == 302
    assert list(resolved.weights.values_list("effective_from", "weight")) == [
        (APRIL, 2.5),
        (FAR_PAST, 1.0),
    ]
    assert {s.metric: s.weight for s in indicator_specs(MARCH)[None]}["resolved"] == 1.0
    assert {s.metric: s.weight for s in indicator_specs(APRIL)[None]}["resolved"] == 2.5
    # The changelist's inline edit records the change from today.
    form.pop("weight_from")
    form["weight"] = "4"
    client.post(url, form)
    today = timezone.localdate()
    assert KpiWeight.objects.get(indicator=resolved, effective_from=today).weight == 4.0


@pytest.mark.django_db
def test_admin_list_shows_the_suggested_weights(client, march):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get("/admin/quality/kpiindicator/").content.decode()
    assert "Suggested (entropy)" in html and 'class="field-suggested"' in html


@pytest.mark.django_db
def test_suggested_weights_from_the_desk_data(customer, clock, standard_policy):
    desk = Desk(customer)
    # Two months: March 4 h and 8 h, April one 2 h; resolution time varies, so does the count.
    resolve_daily(desk, clock, [4.0, 8.0] + [None] * 30 + [2.0])
    weights = suggested_weights(
        ["resolved", "resolution_hours", "csat"], today=APRIL + timedelta(days=5)
    )
    assert set(weights) == {"resolved", "resolution_hours"}  # no CSAT in those months
    assert sum(weights.values()) == pytest.approx(1.0)


@pytest.mark.django_db
def test_admin_add_starts_the_history_far_in_the_past(client):
    KPIIndicator.objects.all().delete()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "metric": "csat",
        "department": "",
        "target": "4.5",
        "weight": "2",
        "weight_from": "",
        "active": "on",
        "weights-TOTAL_FORMS": "0",
        "weights-INITIAL_FORMS": "0",
    }
    assert client.post("/admin/quality/kpiindicator/add/", form).status_code == 302
    indicator = KPIIndicator.objects.get(metric="csat")
    assert list(indicator.weights.values_list("effective_from", "weight")) == [(FAR_PAST, 2.0)]
