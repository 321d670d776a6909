"""The handoff admin: the add form preselects `?request=<pk>`, the inbox filter, buttons that run
the services, and scope (a department never acts on another's handoff)."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from apps.handoffs.models import Handoff
from apps.handoffs.services import do_request_handoff
from tests.support.admin import agents_group, make_staff  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
_GRANT = importlib.import_module("apps.handoffs.migrations.0002_agents_group_handoffs")


@pytest.fixture
def staff(org, agents_group):  # noqa: F811  pytest passes the imported fixture by name
    _GRANT.grant_handoff_permissions(apps, None)
    for team in (org.it, org.finance, org.legal):
        make_staff(team.agent, agents_group)
        make_staff(team.lead, agents_group)
    return org


def _login(client, agent):
    client.force_login(agent.user)
    return client


def _row(handoff) -> str:
    return reverse("admin:handoffs_handoff_change", args=[handoff.pk])


def _transfer(org, request):
    return do_request_handoff(
        request,
        actor=org.it.agent_actor,
        kind="transfer",
        to_department=org.finance.department,
        reason="Finance owns invoices",
    )


def test_add_form_preselects_the_request_and_creates_through_the_service(client, staff):
    request = staff.request_in_progress()
    _login(client, staff.it.agent)
    add = reverse("admin:handoffs_handoff_add")
    page = client.get(f"{add}?request={request.pk}")
    assert page.status_code == 200
    assert f'<option value="{request.pk}" selected>' in page.content.decode()
    response = client.post(
        f"{add}?request={request.pk}",
        {
            "request": request.pk,
            "kind": "consult",
            "to_department": staff.legal.department.pk,
            "reason": "Is this a liability?",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    handoff = Handoff.objects.get()
    assert (handoff.kind, handoff.requested_by) == ("consult", staff.it.agent.user)
    assert handoff.from_department == staff.it.department


def test_add_form_refusal_is_shown(client, staff):
    request = staff.request_in_progress()
    _transfer(staff, request)
    _login(client, staff.it.agent)
    response = client.post(
        reverse("admin:handoffs_handoff_add"),
        {
            "request": request.pk,
            "kind": "transfer",
            "to_department": staff.legal.department.pk,
            "reason": "again",
        },
        follow=True,
    )
    assert "is still open" in response.content.decode()
    assert Handoff.objects.count() == 1


def test_inbox_and_accept_button(client, staff):
    request = staff.request_in_progress()
    handoff = _transfer(staff, request)
    _login(client, staff.finance.agent)
    inbox = client.get(reverse("admin:handoffs_handoff_changelist") + "?box=inbox")
    assert _row(handoff) in inbox.content.decode()
    page = client.get(reverse("admin:handoffs_handoff_change", args=[handoff.pk]))
    assert 'data-action="accept"' in page.content.decode()
    assert 'data-action="decline"' in page.content.decode()
    url = reverse("admin:handoffs_handoff_transition", args=[handoff.pk, "accept"])
    response = client.post(url, {"version": handoff.version}, follow=True)
    assert response.status_code == 200
    assert Handoff.objects.get(pk=handoff.pk).state == "accepted"
    # A second click from the stale page is refused with the conflict.
    again = client.post(url, {"version": handoff.version}, follow=True)
    assert "changed since you loaded it" in again.content.decode()


def test_sender_sees_no_accept_button_and_cannot_accept(client, staff):
    request = staff.request_in_progress()
    handoff = _transfer(staff, request)
    _login(client, staff.it.lead)
    page = client.get(reverse("admin:handoffs_handoff_change", args=[handoff.pk]))
    assert 'data-action="accept"' not in page.content.decode()
    assert 'data-action="cancel"' in page.content.decode()
    url = reverse("admin:handoffs_handoff_transition", args=[handoff.pk, "accept"])
    response = client.post(url, {"version": handoff.version}, follow=True)
    assert "you may not accept" in response.content.decode()
    assert Handoff.objects.get(pk=handoff.pk).state == "requested"


def test_other_departments_do_not_see_the_handoff(client, staff):
    request = staff.request_in_progress()
    handoff = _transfer(staff, request)
    _login(client, staff.legal.agent)
    listing = client.get(reverse("admin:handoffs_handoff_changelist"))
    assert listing.status_code == 200 and _row(handoff) not in listing.content.decode()
    url = reverse("admin:handoffs_handoff_transition", args=[handoff.pk, "decline"])
    assert client.post(url, {"version": handoff.version, "text": "no"}).status_code == 404


def test_decline_with_a_reason_and_the_bounced_filter(client, staff):
    request = staff.request_in_progress()
    handoff = _transfer(staff, request)
    _login(client, staff.finance.lead)
    url = reverse("admin:handoffs_handoff_transition", args=[handoff.pk, "decline"])
    client.post(url, {"version": handoff.version, "text": "Not an invoice"})
    handoff = Handoff.objects.get(pk=handoff.pk)
    assert (handoff.state, handoff.closing_reason) == ("declined", "Not an invoice")
    listing = client.get(reverse("admin:handoffs_handoff_changelist") + "?bounced__exact=1")
    assert listing.status_code == 200
    assert _row(handoff) not in listing.content.decode()
    listing = client.get(reverse("admin:handoffs_handoff_changelist") + "?state__exact=declined")
    assert _row(handoff) in listing.content.decode()


def test_search_by_request_reference(client, staff):
    request = staff.request_in_progress()
    handoff = _transfer(staff, request)
    other = _transfer(staff, staff.request_in_progress("Another one"))
    _login(client, staff.it.agent)
    listing = client.get(reverse("admin:handoffs_handoff_changelist") + f"?q={request.reference}")
    assert _row(handoff) in listing.content.decode()
    assert _row(other) not in listing.content.decode()
