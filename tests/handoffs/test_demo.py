"""The demo data holds a pending consult and a pending transfer, made through the services."""

import pytest
from django.core.management import call_command

from apps.handoffs.models import Handoff, OLAPolicy

pytestmark = pytest.mark.django_db


def test_demo_handoffs():
    call_command("load_demo_data", stdout=None)
    handoffs = sorted(
        Handoff.objects.values_list("kind", "state", "from_department__code", "to_department__code")
    )
    assert handoffs == [
        ("consult", "requested", "it", "finance"),
        ("transfer", "requested", "it", "facilities"),
    ]
    consult = Handoff.objects.get(kind="consult")
    assert consult.policy == OLAPolicy.objects.get(name="Into Finance")
    assert consult.ola_clocks.get().kind == "acceptance"
    call_command("check_event_log")
