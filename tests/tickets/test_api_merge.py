"""The merge and link endpoints: agents merge and link; customers see the pointer only."""

import pytest

from apps.tickets.models import Message, ServiceRequest
from tests.factories import CustomerFactory
from tests.paths import Desk
from tests.support.api import client_for, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(customer):
    return Desk(customer)


@pytest.fixture
def lead_client(desk):
    return client_for(desk.lead.user)


def test_an_agent_merges_by_reference_and_the_customer_sees_the_pointer(
    desk, lead_client, customer_client
):
    target, duplicate = desk.request_in("queued"), desk.request_in("in_progress")
    response = lead_client.post(
        url(duplicate, "merge/"),
        {"into": target.reference, "reason": "same printer"},
        format="json",
        HTTP_IF_MATCH=f'"{duplicate.version}"',
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["merged_into"]) == ("closed", target.reference)
    assert response["ETag"] == f'"{body["version"]}"'
    assert "merge" not in body["allowed_transitions"]
    # The customer reads the pointer on their own request, and the message on the target.
    seen = customer_client.get(url(duplicate)).json()
    assert seen["merged_into"] == target.reference
    assert customer_client.get(url(target)).json()["merged_into"] is None


def test_merge_by_id_and_the_moved_messages_say_where_from(desk, lead_client, customer_client):
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    customer_client.post(url(duplicate, "messages/"), {"body": "Any news?"}, format="json")
    response = lead_client.post(url(duplicate, "merge/"), {"into": str(target.pk)}, format="json")
    assert response.status_code == 200, response.content
    messages = customer_client.get(url(target, "messages/")).json()["results"]
    assert [m["merged_from"] for m in messages] == [duplicate.reference]


@pytest.mark.parametrize(
    ("into", "status", "code"),
    [
        ("SR-999999", 400, "invalid"),
        ("nonsense", 400, "invalid"),
        ("", 400, "invalid"),
        ("itself", 400, "invalid"),
        ("closed", 409, "not_allowed"),
        ("other customer", 400, "invalid"),
    ],
)
def test_refusals(desk, lead_client, into, status, code):
    duplicate = desk.request_in("queued")
    named = {
        "itself": duplicate.reference,
        "closed": desk.request_in("cancelled").reference,
        "other customer": Desk(CustomerFactory()).request_in("new").reference,
    }.get(into, into)
    response = lead_client.post(url(duplicate, "merge/"), {"into": named}, format="json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert ServiceRequest.objects.get(pk=duplicate.pk).state == "queued"


def test_a_stale_version_is_412_or_409(desk, lead_client):
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    stale = lead_client.post(
        url(duplicate, "merge/"), {"into": target.reference}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 412
    conflict = lead_client.post(
        url(duplicate, "merge/"), {"into": target.reference, "version": 1}, format="json"
    )
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "conflict"


def test_customers_cannot_merge_or_link(desk, customer_client):
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    merge = customer_client.post(url(duplicate, "merge/"), {"into": target.reference})
    link = customer_client.post(url(duplicate, "links/"), {"to": target.reference})
    assert (merge.status_code, link.status_code) == (403, 403)
    assert ServiceRequest.objects.get(pk=duplicate.pk).merged_into_id is None


def test_an_agent_of_another_department_gets_404(desk):
    from tests.factories import AgentFactory, DepartmentFactory

    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    stranger = client_for(AgentFactory(departments=[DepartmentFactory()]).user)
    response = stranger.post(url(duplicate, "merge/"), {"into": target.reference}, format="json")
    assert response.status_code == 404


def test_the_generic_transition_points_to_the_merge_endpoint(desk, lead_client):
    duplicate = desk.request_in("queued")
    response = lead_client.post(url(duplicate, "transitions/merge/"), {}, format="json")
    assert response.status_code == 400
    assert "/merge/" in response.json()["error"]["message"]


def test_link_list_and_unlink(desk, lead_client):
    a, b = desk.request_in("queued"), desk.request_in("closed")
    created = lead_client.post(url(a, "links/"), {"to": b.reference}, format="json")
    assert created.status_code == 201, created.content
    assert created.json() == [
        {"reference": b.reference, "subject": b.subject, "state": "closed", "relation": "related"}
    ]
    again = lead_client.post(url(b, "links/"), {"to": a.reference}, format="json")
    assert again.status_code == 409
    assert [r["reference"] for r in lead_client.get(url(b, "links/")).json()] == [a.reference]
    assert lead_client.delete(url(b, f"links/{a.reference}/")).status_code == 204
    assert lead_client.get(url(a, "links/")).json() == []
    assert lead_client.delete(url(b, f"links/{a.reference}/")).status_code == 409
    assert lead_client.delete(url(b, "links/SR-999999/")).status_code == 404


def test_links_show_merges(desk, lead_client):
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    lead_client.post(url(duplicate, "merge/"), {"into": target.reference}, format="json")
    here = lead_client.get(url(target, "links/")).json()
    assert [(r["reference"], r["relation"]) for r in here] == [(duplicate.reference, "merged_here")]
    there = lead_client.get(url(duplicate, "links/")).json()
    assert [(r["reference"], r["relation"]) for r in there] == [(target.reference, "merged_into")]
    assert Message.objects.filter(request=duplicate).count() == 0
