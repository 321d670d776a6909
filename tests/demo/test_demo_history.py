"""`make run`'s first load (`load_demo_data --history N`): the history, the ETA model trained
once on it, and requests already in the at-risk queue; a second run changes nothing."""

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from apps.improvement.models import EtaModel, RequestForecast
from apps.improvement.selectors import filter_at_risk
from apps.tickets.models import ServiceRequest

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# A Wednesday morning in Berlin: the run does not depend on the day the test runs.
NOW = datetime(2026, 3, 11, 9, 30, tzinfo=UTC)


def test_the_first_load_trains_the_eta_model_and_fills_the_at_risk_queue():
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("load_demo_data", "--history", "400", stdout=out)
        call_command("load_demo_data", "--history", "400", stdout=StringIO())

    assert EtaModel.objects.count() == 1
    assert ServiceRequest.objects.filter(tags__contains=["generated-history"]).count() == 400
    at_risk = filter_at_risk(ServiceRequest.objects.all())
    assert at_risk.exists()
    assert RequestForecast.objects.filter(at_risk=True).count() == at_risk.count()
    assert f"{at_risk.count()} at risk" in out.getvalue()


def test_the_history_needs_a_sane_size():
    with pytest.raises(CommandError, match="--history"):
        call_command("load_demo_data", "--history", "-1", stdout=StringIO())
