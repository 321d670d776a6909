"""The timeline's 'why' column for handoff events, read from the handoffs app's payload."""

import pytest

from apps.tickets.admin.timeline import event_summary
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_a_handoff_step_names_the_departments_and_the_reason():
    it = DepartmentFactory(name="IT support", code="it")
    finance = DepartmentFactory(name="Finance", code="fin")
    payload = {
        "handoff": 12,
        "handoff_kind": "consult",
        "step": "declined",
        "from_department": it.pk,
        "to_department": finance.pk,
        "reason": "not ours",
    }
    assert event_summary("handoff", payload) == (
        "handoff H-12 (consult) declined: IT support → Finance; not ours"
    )


def test_a_bounce_says_what_it_means():
    summary = event_summary("handoff", {"handoff": 3, "step": "bounced"})
    assert "bounced: the request came back or moved too often" in summary
