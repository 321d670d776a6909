"""The AHP weighting: a textbook matrix's weights and consistency ratio, an inconsistent one
flagged, judgements entered in the admin and shown beside the manual and entropy weights."""

import pytest

from apps.quality.ahp import ahp_weights, judged_weights
from apps.quality.models import KPIIndicator, KpiJudgement
from tests.factories import UserFactory

NAMES = ["a", "b", "c"]


def test_textbook_matrix_gives_its_known_weights_and_consistency_ratio():
    # A = [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]]: weights 0.637, 0.258, 0.105,
    # lambda_max 3.039, CI 0.019, CR 0.033 with Saaty's RI of 0.58 for three.
    ahp = ahp_weights(NAMES, {("a", "b"): 3, ("a", "c"): 5, ("b", "c"): 3})
    assert [round(ahp.weights[n], 3) for n in NAMES] == [0.637, 0.258, 0.105]
    assert ahp.lambda_max == pytest.approx(3.0385, abs=1e-4)
    assert ahp.consistency_ratio == pytest.approx(0.033, abs=1e-3)
    assert ahp.consistent


def test_a_consistent_matrix_has_cr_zero_and_the_judgements_may_come_either_way_round():
    # a = 2b = 4c: perfectly consistent, lambda_max = n.
    ahp = ahp_weights(NAMES, {("b", "a"): 1 / 2, ("a", "c"): 4, ("c", "b"): 1 / 2})
    assert [round(ahp.weights[n], 4) for n in NAMES] == [0.5714, 0.2857, 0.1429]
    assert ahp.consistency_ratio == pytest.approx(0.0, abs=1e-9)


def test_contradictory_judgements_are_flagged_inconsistent():
    # a over b, b over c, yet c strongly over a.
    ahp = ahp_weights(NAMES, {("a", "b"): 5, ("b", "c"): 5, ("c", "a"): 5})
    assert ahp.consistency_ratio > 0.1
    assert not ahp.consistent


@pytest.mark.django_db
def test_judgements_entered_in_the_admin_are_shown_beside_the_other_weights(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    metrics = sorted(KPIIndicator.objects.filter(department=None).values_list("metric", flat=True))
    assert len(metrics) >= 3
    pairs = [(a, b) for i, a in enumerate(metrics) for b in metrics[i + 1 :]]
    url = "/admin/quality/kpijudgement/add/"
    for first, second in pairs[:-1]:
        form = {"department": "", "first": first, "second": second, "value": "3.0"}
        assert client.post(url, form).status_code == 302
    # Until every pair is judged there is no AHP weighting.
    assert judged_weights(metrics, department_id=None) is None
    last = pairs[-1]
    # The same pair the other way round is refused: one judgement per pair.
    form = {"department": "", "first": pairs[0][1], "second": pairs[0][0], "value": "1.0"}
    assert "already judged the other way round" in client.post(url, form).content.decode()
    form = {"department": "", "first": last[0], "second": last[1], "value": "3.0"}
    assert client.post(url, form).status_code == 302
    assert KpiJudgement.objects.count() == len(pairs)
    ahp = judged_weights(metrics, department_id=None)
    assert ahp is not None and sum(ahp.weights.values()) == pytest.approx(1.0)
    html = client.get("/admin/quality/kpiindicator/").content.decode()
    assert "Suggested (AHP)" in html and "Suggested (entropy)" in html
    first = metrics[0]  # judged 3 times more important than each later one: the largest
    assert max(ahp.weights, key=ahp.weights.get) == first
    assert f"{100 * ahp.weights[first]:.0f}%" in html
    if not ahp.consistent:
        assert "inconsistent: CR" in html
