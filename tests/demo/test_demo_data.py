"""`load_demo_data` without processes: what it creates, that a second run changes nothing, and
that every demo request's event log replays to its state."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.accounts.models import Agent, Customer, Department
from apps.demo.organisation import AGENTS, AGENTS_GROUP, CUSTOMERS, DEMO_PASSWORD
from apps.demo.stories import STORIES
from apps.eventlog.models import Event
from apps.tickets.models import Category, ServiceRequest


def _load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    models = (get_user_model(), Department, Agent, Customer, Category, ServiceRequest, Event)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_load_demo_data_twice_creates_the_desk_once_with_a_consistent_log():
    first = _load()
    counts = _counts()
    second = _load()

    assert "Demo data loaded" in first
    assert "already loaded" in second
    assert _counts() == counts
    for output in (first, second):
        assert DEMO_PASSWORD in output
        assert "http://127.0.0.1:8000/admin/" in output

    assert Department.objects.get(is_triage=True).code == "it"
    assert all(d.leads.exists() for d in Department.objects.all())
    assert Agent.objects.count() == len(AGENTS)
    assert not Agent.objects.exclude(user__is_staff=True).exists()
    assert not Agent.objects.exclude(user__groups__name=AGENTS_GROUP).exists()
    assert {a.availability for a in Agent.objects.all()} == {"online", "away", "offline"}
    assert Customer.objects.count() == len(CUSTOMERS)
    assert {c.tier for c in Customer.objects.all()} == {"standard", "gold", "platinum"}
    assert {c.language for c in Customer.objects.all()} == {"en", "zh-hans"}
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)

    requests = ServiceRequest.objects.all()
    assert requests.count() == len(STORIES)
    assert {r.state for r in requests} >= {
        "new",
        "queued",
        "assigned",
        "in_progress",
        "pending_customer",
        "resolved",
        "closed",
        "cancelled",
        "bot_answered",
    }
    assert requests.filter(escalation_level__gt=0).exists()
    assert requests.filter(reopen_count__gt=0).exists()
    call_command("check_event_log", stdout=StringIO())
