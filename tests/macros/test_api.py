"""The macro API: agents list their macros and those usable on a request, and apply one; the
customer is refused; errors are the API's JSON with nothing written."""

import pytest

from apps.lifecycle.states import State
from apps.macros.models import Macro
from apps.tickets.models import Message
from tests.factories import AgentFactory, DepartmentFactory
from tests.support.api import client_for, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(agent):
    return client_for(agent.user)


def test_an_agent_lists_their_own_and_their_departments_macros(
    alice, resolve_macro, personal_macro, department
):
    Macro.objects.create(name="Other's", department=DepartmentFactory(), body="x")
    response = alice.get("/api/v1/macros/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["name"] for row in rows] == ["Need a photo", "Fixed"]  # personal first
    assert rows[0]["department"] is None
    assert rows[1]["department"] == {"id": department.pk, "name": "IT support"}
    assert rows[1]["languages"] == ["en", "zh-hans"]
    assert rows[1]["transition"] == "resolve"


def test_the_names_follow_the_agents_language(alice, resolve_macro):
    rows = alice.get("/api/v1/macros/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]
    assert rows[0]["name"] == "已修复"


def test_on_a_request_the_macros_come_rendered_for_its_customer(
    alice, working, resolve_macro, personal_macro
):
    response = alice.get(url(working, "macros/"))
    assert response.status_code == 200
    fixed = next(row for row in response.json() if row["name"] == "Fixed")
    assert fixed["text"].startswith(f"Hello Carol,\n\n{working.reference} is fixed.")
    assert fixed["text_language"] == "en"
    assert fixed["open_now"] is True


def test_applying_replies_and_resolves_with_the_etag(alice, working, resolve_macro):
    response = alice.post(
        url(working, f"macros/{resolve_macro.pk}/apply/"),
        {"body": "Fixed, {{ not rendered again }}"},
        format="json",
        HTTP_IF_MATCH=f'"{working.version}"',
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["message"]["body"] == "Fixed, {{ not rendered again }}"
    assert body["request"]["state"] == State.RESOLVED
    assert response["ETag"] == f'"{body["request"]["version"]}"'


def test_a_stale_if_match_is_412_and_a_closed_transition_409_with_nothing_written(
    alice, working, personal_macro, resolve_macro
):
    response = alice.post(
        url(working, f"macros/{resolve_macro.pk}/apply/"),
        {},
        format="json",
        HTTP_IF_MATCH=f'"{working.version - 1}"',
    )
    assert response.status_code == 412
    done = alice.post(url(working, f"macros/{resolve_macro.pk}/apply/"), {}, format="json")
    assert done.status_code == 200
    # Resolved now: a macro that asks the customer for information cannot run.
    response = alice.post(url(working, f"macros/{personal_macro.pk}/apply/"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_allowed"
    assert "reopen" in response.json()["error"]["allowed"]
    assert Message.objects.filter(request=working).count() == 1


def test_bad_input_is_400(alice, working, resolve_macro):
    target = url(working, f"macros/{resolve_macro.pk}/apply/")
    assert alice.post(target, {"body": ""}, format="json").status_code == 400
    assert alice.post(target, {"body": "x" * 20001}, format="json").status_code == 400
    assert alice.post(target, {"version": "abc"}, format="json").status_code == 400
    assert not Message.objects.filter(request=working).exists()


def test_someone_elses_macro_or_request_is_404(working, personal_macro, resolve_macro, department):
    colleague = client_for(AgentFactory(user__username="dan", departments=[department]).user)
    response = colleague.post(url(working, f"macros/{personal_macro.pk}/apply/"), {})
    assert response.status_code == 404
    elsewhere = client_for(
        AgentFactory(user__username="erin", departments=[DepartmentFactory()]).user
    )
    assert elsewhere.get(url(working, "macros/")).status_code == 404
    assert elsewhere.post(url(working, f"macros/{resolve_macro.pk}/apply/"), {}).status_code == 404
    assert colleague.post(url(working, "macros/999999/apply/"), {}).status_code == 404


def test_customers_are_refused(working, resolve_macro, carol):
    customer = client_for(carol.user)
    assert customer.get("/api/v1/macros/").status_code == 403
    assert customer.get(url(working, "macros/")).status_code == 403
    response = customer.post(url(working, f"macros/{resolve_macro.pk}/apply/"), {})
    assert response.status_code == 403
    assert not Message.objects.filter(request=working).exists()
