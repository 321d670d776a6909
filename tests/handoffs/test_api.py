"""The handoff API: request, inbox, accept/decline/complete/cancel, history; scoped by department;
customers never see handoff notes."""

import pytest

from apps.handoffs.models import Handoff
from tests.support.api import client_for

pytestmark = pytest.mark.django_db

REASON = "Internal: the customer threatens to sue, ask Legal"
RESULT = "Internal: no case, offer a voucher"


@pytest.fixture(autouse=True)
def _no_throttles(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


def _ask(org, request, kind="consult", team=None):
    response = client_for(org.it.agent.user).post(
        f"/api/v1/requests/{request.reference}/handoffs/",
        {"kind": kind, "to_department": (team or org.legal).department.pk, "reason": REASON},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _run(user, handoff_id, name, **body):
    return client_for(user).post(
        f"/api/v1/handoffs/{handoff_id}/transitions/{name}/", body, format="json"
    )


def test_consult_through_the_api_end_to_end(org):
    request = org.request_in_progress()
    created = _ask(org, request)
    assert created["state"] == "requested" and created["kind"] == "consult"
    assert created["allowed_transitions"] == ["cancel"]

    legal = client_for(org.legal.agent.user)
    inbox = legal.get("/api/v1/handoffs/inbox/").json()["results"]
    assert [h["id"] for h in inbox] == [created["id"]]
    assert inbox[0]["allowed_transitions"] == ["accept", "decline"]
    assert inbox[0]["request"]["reference"] == request.reference
    assert client_for(org.finance.agent.user).get("/api/v1/handoffs/inbox/").json()["count"] == 0

    accepted = _run(org.legal.agent.user, created["id"], "accept", version=created["version"])
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"

    resolve = client_for(org.it.agent.user).post(
        f"/api/v1/requests/{request.reference}/transitions/resolve/", {}, format="json"
    )
    assert resolve.status_code == 409
    assert created["reference"] in resolve.json()["error"]["message"]

    assert _run(org.legal.agent.user, created["id"], "complete").status_code == 400
    done = _run(org.legal.agent.user, created["id"], "complete", result=RESULT)
    assert done.status_code == 200 and done.json()["state"] == "completed"

    history = client_for(org.it.agent.user).get(f"/api/v1/requests/{request.reference}/handoffs/")
    assert [(h["state"], h["result"]) for h in history.json()] == [("completed", RESULT)]
    resolve = client_for(org.it.agent.user).post(
        f"/api/v1/requests/{request.reference}/transitions/resolve/", {}, format="json"
    )
    assert resolve.status_code == 200


def test_a_department_cannot_act_on_another_departments_handoff(org):
    request = org.request_in_progress()
    created = _ask(org, request)
    # The sender sees it but may not accept it; a third department does not even see it.
    refused = _run(org.it.lead.user, created["id"], "accept")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert _run(org.finance.lead.user, created["id"], "accept").status_code == 404
    assert _run(org.finance.lead.user, created["id"], "decline", reason="x").status_code == 404
    assert (
        client_for(org.finance.lead.user).get(f"/api/v1/handoffs/{created['id']}/").status_code
        == 404
    )
    # And the target may not cancel what it was sent.
    assert _run(org.legal.lead.user, created["id"], "cancel").status_code == 403
    assert Handoff.objects.get(pk=created["id"]).state == "requested"


def test_only_the_owning_department_requests_a_handoff(org):
    request = org.request_in_progress()
    response = client_for(org.finance.agent.user).post(
        f"/api/v1/requests/{request.reference}/handoffs/",
        {"kind": "transfer", "to_department": org.legal.department.pk, "reason": "x"},
        format="json",
    )
    assert response.status_code == 404  # Finance cannot see IT's request


def test_stale_version_gets_a_conflict(org):
    request = org.request_in_progress()
    created = _ask(org, request, kind="transfer", team=org.finance)
    first = _run(org.finance.agent.user, created["id"], "accept", version=created["version"])
    assert first.status_code == 200
    assert first.json()["state"] == "accepted"
    second = _run(org.finance.lead.user, created["id"], "accept", version=created["version"])
    assert second.status_code == 409 and second.json()["error"]["code"] == "conflict"
    # The request is Finance's now and IT's history of it is gone from IT's sight.
    assert (
        client_for(org.it.agent.user).get(f"/api/v1/requests/{request.reference}/").status_code
        == 404
    )
    finance_history = client_for(org.finance.agent.user).get(
        f"/api/v1/requests/{request.reference}/handoffs/"
    )
    assert [h["kind"] for h in finance_history.json()] == ["transfer"]


def test_customers_never_see_handoff_notes(org):
    request = org.request_in_progress()
    created = _ask(org, request)
    _run(org.legal.agent.user, created["id"], "accept")
    _run(org.legal.agent.user, created["id"], "complete", result=RESULT)
    customer = client_for(org.customer.user)
    assert customer.get("/api/v1/handoffs/").status_code == 403
    assert customer.get("/api/v1/handoffs/inbox/").status_code == 403
    assert customer.get(f"/api/v1/handoffs/{created['id']}/").status_code == 403
    assert customer.get(f"/api/v1/requests/{request.reference}/handoffs/").status_code == 403
    assert (
        customer.post(
            f"/api/v1/requests/{request.reference}/handoffs/",
            {"kind": "consult", "to_department": org.legal.department.pk, "reason": "x"},
            format="json",
        ).status_code
        == 403
    )
    for path in ("", "messages/"):
        response = customer.get(f"/api/v1/requests/{request.reference}/{path}")
        assert response.status_code == 200
        assert REASON not in response.content.decode()
        assert RESULT not in response.content.decode()
        assert "handoff" not in response.content.decode().lower()
    mine = customer.get("/api/v1/requests/").content.decode()
    assert REASON not in mine and RESULT not in mine


def test_lists_filter_by_direction_state_and_request(org):
    request = org.request_in_progress()
    consult = _ask(org, request)
    transfer = _ask(org, request, kind="transfer", team=org.finance)
    it = client_for(org.it.agent.user)
    outgoing = it.get("/api/v1/handoffs/?direction=outgoing").json()["results"]
    assert {h["id"] for h in outgoing} == {consult["id"], transfer["id"]}
    assert it.get("/api/v1/handoffs/?direction=incoming").json()["count"] == 0
    by_request = it.get(f"/api/v1/handoffs/?request={request.reference}&kind=consult").json()
    assert [h["id"] for h in by_request["results"]] == [consult["id"]]
    legal = client_for(org.legal.agent.user)
    _run(org.legal.agent.user, consult["id"], "decline", reason="Not a legal matter")
    assert legal.get("/api/v1/handoffs/inbox/").json()["count"] == 0
    closed = legal.get("/api/v1/handoffs/inbox/?state=declined").json()["results"]
    assert [(h["id"], h["closing_reason"]) for h in closed] == [
        (consult["id"], "Not a legal matter")
    ]


def test_the_inbox_runs_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    for _ in range(3):
        request = org.request_in_progress()
        _ask(org, request)
    legal = client_for(org.legal.agent.user)
    with django_assert_max_num_queries(12):
        page = legal.get("/api/v1/handoffs/inbox/")
    assert page.json()["count"] == 3
