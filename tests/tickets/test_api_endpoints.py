"""Every v1 endpoint through APIClient: what customers and agents get, and how it fails."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.eventlog.models import Event
from apps.lifecycle.reference import parse_reference
from apps.lifecycle.states import State
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import AssignData, RouteData
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, UserFactory, submit
from tests.support.api import client_for, url

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests/"
QUEUE = "/api/v1/queue/"
PASSWORD = "secret-pass-123"  # tests.factories.UserFactory


def error_of(response, status: int, code: str) -> dict:
    """The body's error, after checking the status and the one error shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


def run(client, ref: str, name: str, **data):
    return client.post(f"{REQUESTS}{ref}/transitions/{name}/", data, format="json")


def refs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["reference"] for r in response.json()["results"]]


def routed(department, *, customer=None, assignee=None, **fields):
    """A request submitted by `customer`, routed to `department` and maybe assigned."""
    request = submit(customer, **fields)
    request = services.transition(
        request, "route", actor=SYSTEM, data=RouteData(department=department)
    )
    if assignee is not None:
        request = services.transition(
            request, "assign", actor=SYSTEM, data=AssignData(assignee=assignee)
        )
    return request


@pytest.fixture
def second_client(desk):
    return client_for(desk.second.user)


# --- POST auth/token/ --------------------------------------------------------------------------


class TestToken:
    PATH = "/api/v1/auth/token/"

    def test_good_credentials_give_a_token_that_works_on_me(self, customer, anon_client):
        response = anon_client.post(
            self.PATH, {"username": "carol", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200
        token = response.json()["token"]
        anon_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        me = anon_client.get("/api/v1/me/")
        assert me.status_code == 200
        assert me.json()["username"] == "carol"

    def test_each_sign_in_gets_its_own_token_and_both_work(self, customer, anon_client):
        body = {"username": "carol", "password": PASSWORD}
        first = anon_client.post(self.PATH, body, format="json").json()["token"]
        second = anon_client.post(self.PATH, body, format="json").json()
        assert second["token"] != first and second["expiry"]
        for token in (first, second["token"]):
            anon_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            assert anon_client.get("/api/v1/me/").status_code == 200

    @pytest.mark.parametrize(
        "body",
        [
            {"username": "carol", "password": "wrong"},
            {"username": "nobody", "password": PASSWORD},
        ],
    )
    def test_bad_credentials_are_400(self, customer, anon_client, body):
        error = error_of(anon_client.post(self.PATH, body, format="json"), 400, "invalid")
        assert "non_field_errors" in error["fields"]

    def test_an_inactive_user_gets_no_token(self, customer, anon_client):
        customer.user.is_active = False
        customer.user.save()
        body = {"username": "carol", "password": PASSWORD}
        error_of(anon_client.post(self.PATH, body, format="json"), 400, "invalid")

    def test_missing_fields_are_named(self, anon_client):
        error = error_of(anon_client.post(self.PATH, {}, format="json"), 400, "invalid")
        assert set(error["fields"]) == {"username", "password"}

    def test_a_bad_token_is_401(self, anon_client):
        anon_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        error_of(anon_client.get("/api/v1/me/"), 401, "authentication_failed")


# --- GET me/ -----------------------------------------------------------------------------------


class TestMe:
    def test_customer(self, customer, customer_client):
        response = customer_client.get("/api/v1/me/")
        assert response.status_code == 200
        assert response.json() == {
            "username": "carol",
            "role": "customer",
            "agent_id": None,
            "customer_id": customer.pk,
            "departments": [],
        }

    def test_agent_sees_their_departments(self, desk, lead_client):
        desk.lead.departments.add(desk.other_department)
        response = lead_client.get("/api/v1/me/")
        assert response.status_code == 200
        body = response.json()
        assert body["username"] == desk.lead.user.username
        assert (body["role"], body["agent_id"]) == ("agent", desk.lead.pk)
        assert body["departments"] == sorted([desk.department.name, desk.other_department.name])

    def test_a_user_who_is_neither_has_no_role(self):
        response = client_for(UserFactory()).get("/api/v1/me/")
        assert response.status_code == 200
        assert response.json()["role"] is None

    def test_anonymous_is_401(self, anon_client):
        error_of(anon_client.get("/api/v1/me/"), 401, "not_authenticated")


# --- POST requests/ ----------------------------------------------------------------------------


class TestCreate:
    def test_customer_submits_a_request(self, customer, customer_client):
        body = {
            "subject": "VPN drops every hour",
            "description": "Since Monday.",
            "impact": "high",
            "urgency": "medium",
            "attachments": [{"name": "vpn.log", "size": 2048, "content_type": "text/plain"}],
        }
        response = customer_client.post(REQUESTS, body, format="json")
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["reference"].startswith("SR-")
        assert created["subject"] == "VPN drops every hour"
        assert created["state"] == "new"
        assert created["priority"] == 2  # high impact x medium urgency
        assert created["allowed_transitions"] == ["cancel", "escalate"]
        assert created["customer"]["id"] == customer.pk
        assert created["department"] is None and created["assignee"] is None
        assert created["version"] == 1
        stored = [{"name": "vpn.log", "size": 2048, "content_type": "text/plain"}]
        # Legacy metadata (no file behind it) is kept as declared; `attachments` lists files.
        assert created["declared_attachments"] == stored
        assert created["attachments"] == []
        # Read back: the attachment metadata was stored, not only echoed.
        read = customer_client.get(f"{REQUESTS}{created['reference']}/").json()
        assert (read["declared_attachments"], read["attachments"]) == (stored, [])
        (event,) = Event.objects.filter(request__customer=customer)
        assert (event.transition, event.from_state, event.to_state) == ("submit", "", "new")
        assert (event.actor_role, event.actor_id) == ("customer", customer.user.pk)

    @pytest.mark.parametrize(
        ("impact", "urgency", "priority"),
        [("high", "high", 1), ("medium", "high", 2), ("low", "high", 3), ("low", "low", 4)],
    )
    def test_priority_follows_impact_and_urgency(self, customer_client, impact, urgency, priority):
        body = {"subject": "Printer", "impact": impact, "urgency": urgency}
        assert customer_client.post(REQUESTS, body, format="json").json()["priority"] == priority

    def test_defaults_are_medium(self, customer_client):
        created = customer_client.post(REQUESTS, {"subject": "Printer"}, format="json").json()
        assert (created["impact"], created["urgency"], created["priority"]) == (
            "medium",
            "medium",
            3,
        )
        assert created["channel"] == "api"

    def test_customer_may_not_set_priority(self, customer, customer_client):
        body = {"subject": "Printer", "priority": 1}
        error_of(customer_client.post(REQUESTS, body, format="json"), 403, "forbidden")
        assert not ServiceRequest.objects.filter(customer=customer).exists()

    def test_customer_may_not_submit_for_another_customer(self, customer_client):
        other = CustomerFactory()
        body = {"subject": "Printer", "customer": other.pk}
        error_of(customer_client.post(REQUESTS, body, format="json"), 403, "forbidden")
        assert not ServiceRequest.objects.filter(customer=other).exists()

    def test_agent_submits_for_a_customer_and_may_set_priority(self, desk, customer, lead_client):
        body = {"subject": "Phoned in", "customer": customer.pk, "priority": 1, "channel": "chat"}
        response = lead_client.post(REQUESTS, body, format="json")
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["customer"]["id"] == customer.pk
        assert (created["priority"], created["channel"], created["state"]) == (1, "chat", "new")
        event = Event.objects.get(request__customer=customer)
        assert (event.actor_role, event.actor_id) == ("agent", desk.lead.user.pk)

    def test_agent_priority_defaults_to_the_matrix(self, customer, lead_client):
        body = {"subject": "Phoned in", "customer": customer.pk, "impact": "low", "urgency": "low"}
        assert lead_client.post(REQUESTS, body, format="json").json()["priority"] == 4

    def test_agent_must_name_the_customer(self, lead_client):
        error = error_of(
            lead_client.post(REQUESTS, {"subject": "For whom?"}, format="json"), 400, "invalid"
        )
        assert "customer" in error["fields"]
        assert not ServiceRequest.objects.exists()

    def test_an_active_category_is_taken(self, customer_client):
        category = CategoryFactory(name="Network")
        body = {"subject": "Wifi", "category": category.pk}
        created = customer_client.post(REQUESTS, body, format="json").json()
        assert created["category"] == {"id": category.pk, "name": "Network"}

    def test_an_inactive_or_unknown_category_is_400(self, customer, customer_client):
        inactive = CategoryFactory(is_active=False)
        for pk in (inactive.pk, inactive.pk + 1000):
            body = {"subject": "Wifi", "category": pk}
            error = error_of(customer_client.post(REQUESTS, body, format="json"), 400, "invalid")
            assert set(error["fields"]) == {"category"}
        assert not ServiceRequest.objects.filter(customer=customer).exists()

    def test_bad_fields_are_named(self, customer_client):
        body = {"impact": "extreme", "channel": "fax"}
        error = error_of(customer_client.post(REQUESTS, body, format="json"), 400, "invalid")
        assert set(error["fields"]) == {"subject", "impact", "channel"}

    def test_anonymous_is_401(self, anon_client):
        error_of(
            anon_client.post(REQUESTS, {"subject": "x"}, format="json"), 401, "not_authenticated"
        )


# --- GET requests/ -----------------------------------------------------------------------------


class TestList:
    def test_customer_sees_only_their_own(self, customer, customer_client):
        mine = [submit(customer, subject=f"Mine {n}") for n in range(2)]
        submit(CustomerFactory(), subject="Not mine")
        assert sorted(refs(customer_client.get(REQUESTS))) == sorted(r.reference for r in mine)

    def test_pagination(self, customer, customer_client):
        for n in range(3):
            submit(customer, subject=f"Request {n}")
        first = customer_client.get(REQUESTS, {"page_size": 2}).json()
        assert set(first) == {"count", "next", "previous", "results"}
        assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
        assert first["next"] is not None
        second = customer_client.get(first["next"]).json()
        assert (len(second["results"]), second["next"]) == (1, None)
        assert second["previous"] is not None

    def test_newest_first_by_default(self, customer, customer_client):
        old, new = submit(customer, subject="Old"), submit(customer, subject="New")
        assert refs(customer_client.get(REQUESTS)) == [new.reference, old.reference]

    def test_filter_by_state(self, desk, customer_client):
        fresh = desk.request_in(State.NEW)
        queued = desk.request_in(State.QUEUED)
        resolved = desk.request_in(State.RESOLVED)
        assert refs(customer_client.get(REQUESTS, {"state": "queued"})) == [queued.reference]
        both = customer_client.get(REQUESTS, {"state": ["new", "resolved"]})
        assert sorted(refs(both)) == sorted([fresh.reference, resolved.reference])
        error = error_of(customer_client.get(REQUESTS, {"state": "lost"}), 400, "invalid")
        assert "state" in error["fields"]

    def test_filter_by_priority(self, customer, customer_client):
        critical = submit(customer, impact="high", urgency="high")
        submit(customer, impact="low", urgency="low")
        assert refs(customer_client.get(REQUESTS, {"priority": 1})) == [critical.reference]

    def test_filter_by_creation_time(self, customer, customer_client):
        now = timezone.now()
        old, recent = submit(customer, subject="Old"), submit(customer, subject="Recent")
        ServiceRequest.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=10))
        cut = (now - timedelta(days=1)).isoformat()
        assert refs(customer_client.get(REQUESTS, {"created_after": cut})) == [recent.reference]
        assert refs(customer_client.get(REQUESTS, {"created_before": cut})) == [old.reference]

    def test_search_by_subject_and_by_reference(self, customer, customer_client):
        printer = submit(customer, subject="Printer jams on tray 2")
        vpn = submit(customer, subject="VPN drops")
        assert refs(customer_client.get(REQUESTS, {"q": "printer"})) == [printer.reference]
        assert refs(customer_client.get(REQUESTS, {"q": vpn.reference})) == [vpn.reference]
        assert refs(customer_client.get(REQUESTS, {"q": str(vpn.pk)})) == [vpn.reference]
        assert refs(customer_client.get(REQUESTS, {"q": "nothing like it"})) == []

    def test_ordering(self, customer, customer_client):
        low = submit(customer, impact="low", urgency="low")
        critical = submit(customer, impact="high", urgency="high")
        medium = submit(customer)
        by_priority = [critical.reference, medium.reference, low.reference]
        assert refs(customer_client.get(REQUESTS, {"ordering": "priority"})) == by_priority
        assert refs(customer_client.get(REQUESTS, {"ordering": "-priority"})) == by_priority[::-1]
        oldest_first = [low.reference, critical.reference, medium.reference]
        assert refs(customer_client.get(REQUESTS, {"ordering": "created_at"})) == oldest_first

    def test_agent_sees_their_departments_and_untriaged(self, desk, lead_client):
        untriaged = desk.request_in(State.NEW)
        ours = desk.request_in(State.QUEUED)
        routed(desk.other_department)
        listed = refs(lead_client.get(REQUESTS))
        assert sorted(listed) == sorted([untriaged.reference, ours.reference])

    def test_allowed_transitions_are_the_callers(self, desk, customer_client, lead_client):
        queued = desk.request_in(State.QUEUED)
        (as_customer,) = customer_client.get(REQUESTS).json()["results"]
        (as_lead,) = lead_client.get(REQUESTS, {"q": queued.reference}).json()["results"]
        assert as_customer["allowed_transitions"] == ["cancel", "escalate"]
        assert "assign" in as_lead["allowed_transitions"]


# --- GET requests/{ref}/ -----------------------------------------------------------------------


class TestDetail:
    @pytest.mark.parametrize("form", ["reference", "number", "lowercase"])
    def test_by_reference_or_plain_number(self, customer, customer_client, form):
        request = submit(customer, subject="Printer")
        ref = {
            "reference": request.reference,
            "number": str(request.pk),
            "lowercase": request.reference.lower(),
        }[form]
        response = customer_client.get(f"{REQUESTS}{ref}/")
        assert response.status_code == 200
        assert response.json()["reference"] == request.reference
        assert response.json()["subject"] == "Printer"

    def test_another_customers_request_is_404(self, customer_client):
        theirs = submit(CustomerFactory())
        error_of(customer_client.get(url(theirs)), 404, "not_found")

    @pytest.mark.parametrize("ref", ["SR-999999", "nonsense", "SR-"])
    def test_unknown_is_404(self, customer_client, ref):
        error_of(customer_client.get(f"{REQUESTS}{ref}/"), 404, "not_found")

    def test_agent_of_another_department_gets_404(self, desk):
        theirs = routed(desk.other_department)
        error_of(client_for(desk.lead.user).get(url(theirs)), 404, "not_found")


# --- GET/POST requests/{ref}/messages/ ---------------------------------------------------------


class TestMessages:
    def test_customer_posts_and_reads_a_reply(self, desk, customer_client):
        request = desk.request_in(State.IN_PROGRESS)
        response = customer_client.post(url(request, "messages/"), {"body": "Hi"}, format="json")
        assert response.status_code == 201
        posted = response.json()
        assert (posted["author"], posted["author_role"], posted["visibility"], posted["body"]) == (
            "carol",
            "customer",
            "public",
            "Hi",
        )
        listed = customer_client.get(url(request, "messages/")).json()
        assert [m["id"] for m in listed["results"]] == [posted["id"]]

    def test_customer_reply_while_pending_moves_the_request_to_in_progress(
        self, desk, customer_client
    ):
        request = desk.request_in(State.PENDING_CUSTOMER)
        body = {"body": "The model is HP 4250."}
        assert (
            customer_client.post(url(request, "messages/"), body, format="json").status_code == 201
        )
        after = customer_client.get(url(request)).json()
        assert after["state"] == "in_progress"
        assert after["version"] == request.version + 1
        last = Event.objects.filter(request=request).order_by("-seq").first()
        assert (last.transition, last.actor_role) == ("customer_reply", "customer")

    def test_customer_reply_in_progress_leaves_the_state(self, desk, customer_client):
        request = desk.request_in(State.IN_PROGRESS)
        customer_client.post(url(request, "messages/"), {"body": "Any news?"}, format="json")
        assert customer_client.get(url(request)).json()["state"] == "in_progress"

    def test_first_public_agent_reply_sets_first_response_at(
        self, desk, lead_client, customer_client
    ):
        request = desk.request_in(State.QUEUED)
        note = {"body": "Checking the logs", "internal": True}
        assert lead_client.post(url(request, "messages/"), note, format="json").status_code == 201
        assert lead_client.get(url(request)).json()["first_response_at"] is None
        reply = lead_client.post(url(request, "messages/"), {"body": "On it"}, format="json")
        assert reply.status_code == 201
        first = lead_client.get(url(request)).json()["first_response_at"]
        assert first == reply.json()["created_at"]
        customer_client.post(url(request, "messages/"), {"body": "Thanks"}, format="json")
        lead_client.post(url(request, "messages/"), {"body": "Fixed?"}, format="json")
        assert customer_client.get(url(request)).json()["first_response_at"] == first

    def test_internal_notes_are_for_agents_only(
        self, desk, lead_client, second_client, customer_client
    ):
        request = desk.request_in(State.ASSIGNED)
        lead_client.post(url(request, "messages/"), {"body": "Public"}, format="json")
        note = lead_client.post(
            url(request, "messages/"), {"body": "VIP, be quick", "internal": True}, format="json"
        ).json()
        assert note["visibility"] == "internal"
        as_agent = second_client.get(url(request, "messages/")).json()["results"]
        assert [m["body"] for m in as_agent] == ["Public", "VIP, be quick"]
        as_customer = customer_client.get(url(request, "messages/")).json()["results"]
        assert [m["body"] for m in as_customer] == ["Public"]

    def test_customer_cannot_write_an_internal_note(self, desk, customer_client):
        request = desk.request_in(State.IN_PROGRESS)
        body = {"body": "psst", "internal": True}
        error_of(
            customer_client.post(url(request, "messages/"), body, format="json"), 403, "forbidden"
        )

    def test_an_empty_body_is_400(self, desk, customer_client):
        request = desk.request_in(State.IN_PROGRESS)
        for body in ({}, {"body": ""}, {"body": "   "}):
            response = customer_client.post(url(request, "messages/"), body, format="json")
            assert "body" in error_of(response, 400, "invalid")["fields"]

    def test_no_messages_on_a_closed_request(self, desk, customer_client):
        request = desk.request_in(State.CLOSED)
        response = customer_client.post(url(request, "messages/"), {"body": "hello"}, format="json")
        error = error_of(response, 409, "not_allowed")
        assert error["state"] == "closed"

    def test_another_customers_thread_is_404(self, customer_client):
        theirs = submit(CustomerFactory())
        error_of(customer_client.get(url(theirs, "messages/")), 404, "not_found")
        response = customer_client.post(url(theirs, "messages/"), {"body": "hi"}, format="json")
        error_of(response, 404, "not_found")


# --- POST requests/{ref}/transitions/{name}/ ---------------------------------------------------


class TestTransitions:
    def test_the_customer_journey(self, desk, customer_client, lead_client, second_client):
        created = customer_client.post(REQUESTS, {"subject": "Laptop fan"}, format="json").json()
        ref = created["reference"]
        assert (created["state"], created["allowed_transitions"]) == ("new", ["cancel", "escalate"])
        agent_steps = [
            (lead_client, "route", {"department": desk.department.pk}, "queued",
             ["assign", "cancel", "escalate", "recategorize", "reprioritize", "transfer"]),
            (lead_client, "assign", {"assignee": desk.second.pk}, "assigned",
             ["cancel", "escalate", "reassign", "recategorize", "reprioritize", "start",
              "transfer", "unassign"]),
            (second_client, "start", {}, "in_progress",
             ["cancel", "escalate", "reassign", "recategorize", "reprioritize", "request_info",
              "resolve", "transfer"]),
            (second_client, "request_info", {}, "pending_customer",
             ["cancel", "customer_reply", "escalate", "recategorize", "reprioritize", "resolve",
              "transfer"]),
        ]  # fmt: skip
        for client, name, data, state, allowed in agent_steps:
            response = run(client, ref, name, **data)
            assert response.status_code == 200, (name, response.content)
            assert (response.json()["state"], response.json()["allowed_transitions"]) == (
                state,
                allowed,
            ), name
        seen = customer_client.get(f"{REQUESTS}{ref}/").json()
        assert seen["allowed_transitions"] == ["cancel", "customer_reply", "escalate"]
        assert seen["department"]["id"] == desk.department.pk
        assert seen["assignee"]["id"] == desk.second.pk

        reply = {"body": "It is a ThinkPad T14."}
        posted = customer_client.post(f"{REQUESTS}{ref}/messages/", reply, format="json")
        assert posted.status_code == 201
        assert customer_client.get(f"{REQUESTS}{ref}/").json()["state"] == "in_progress"

        resolved = run(second_client, ref, "resolve", reason="Fan replaced")
        assert resolved.status_code == 200
        assert (resolved.json()["state"], resolved.json()["allowed_transitions"]) == (
            "resolved",
            ["close", "reopen"],
        )
        assert resolved.json()["resolved_at"] is not None
        assert customer_client.get(f"{REQUESTS}{ref}/").json()["allowed_transitions"] == [
            "close",
            "reopen",
        ]
        closed = run(customer_client, ref, "close")
        assert closed.status_code == 200
        assert (closed.json()["state"], closed.json()["allowed_transitions"]) == ("closed", [])
        assert closed.json()["closed_at"] is not None

        log = Event.objects.filter(request__pk=parse_reference(ref), kind="transition").order_by(
            "seq"
        )
        assert [(e.transition, e.actor_role) for e in log] == [
            ("submit", "customer"),
            ("route", "agent"),
            ("assign", "agent"),
            ("start", "agent"),
            ("request_info", "agent"),
            ("customer_reply", "customer"),
            ("resolve", "agent"),
            ("close", "customer"),
        ]

    def test_an_illegal_transition_is_409_with_the_allowed_ones(self, desk, customer_client):
        request = desk.request_in(State.NEW)
        error = error_of(run(customer_client, request.reference, "close"), 409, "not_allowed")
        assert error["state"] == "new"
        assert error["allowed"] == ["cancel", "escalate"]
        assert ServiceRequest.objects.get(pk=request.pk).state == "new"

    def test_an_unknown_transition_is_404_naming_the_allowed_ones(self, desk, lead_client):
        request = desk.request_in(State.QUEUED)
        error = error_of(run(lead_client, request.reference, "teleport"), 404, "not_found")
        assert error["state"] == "queued"
        assert "assign" in error["allowed"]

    def test_a_stale_version_is_a_conflict_naming_who_changed_it(
        self, desk, lead_client, second_client
    ):
        request = desk.request_in(State.QUEUED)
        seen = lead_client.get(url(request)).json()["version"]
        assert run(second_client, request.reference, "escalate", version=seen).status_code == 200
        response = run(
            lead_client, request.reference, "assign", assignee=desk.second.pk, version=seen
        )
        error = error_of(response, 409, "conflict")
        assert "an agent" in error["message"] and error["changed_by"] == "an agent"
        assert desk.second.user.username not in str(error)
        assert "escalate" in error["message"]
        assert error["state"] == "queued"
        assert error["version"] == seen + 1
        current = lead_client.get(url(request)).json()
        assert (current["assignee"], current["escalation_level"]) == (None, 1)
        # With the version it now sees, the same call goes through.
        retry = run(
            lead_client, request.reference, "assign", assignee=desk.second.pk, version=seen + 1
        )
        assert retry.status_code == 200

    def test_a_conflict_names_the_agent_by_display_name_never_by_login(
        self, desk, lead_client, second_client
    ):
        desk.second.user.first_name, desk.second.user.last_name = "Ada", "Lovelace"
        desk.second.user.save(update_fields=["first_name", "last_name"])
        request = desk.request_in(State.QUEUED)
        seen = lead_client.get(url(request)).json()["version"]
        assert run(second_client, request.reference, "escalate", version=seen).status_code == 200
        error = error_of(
            run(lead_client, request.reference, "start", version=seen), 409, "conflict"
        )
        assert error["changed_by"] == "Ada Lovelace" and "Ada Lovelace" in error["message"]
        assert desk.second.user.username not in str(error)

    def test_route_without_a_department_is_400(self, desk, lead_client):
        request = desk.request_in(State.NEW)
        error = error_of(run(lead_client, request.reference, "route"), 400, "invalid")
        assert "department" in error["fields"]
        assert ServiceRequest.objects.get(pk=request.pk).state == "new"

    def test_bad_transition_data_is_400(self, desk, lead_client):
        request = desk.request_in(State.QUEUED)
        outsider = AgentFactory(departments=[desk.other_department])
        for data, field in (
            ({"assignee": outsider.pk}, "assignee"),
            ({"assignee": 10**9}, "assignee"),
            ({"assignee": desk.second.pk, "department": desk.department.pk}, "department"),
        ):
            response = run(lead_client, request.reference, "assign", **data)
            assert field in error_of(response, 400, "invalid")["fields"], data

    def test_a_customer_running_an_agent_transition_is_403(self, desk, customer_client):
        request = desk.request_in(State.NEW)
        response = run(customer_client, request.reference, "route", department=desk.department.pk)
        error = error_of(response, 403, "forbidden")
        assert error["allowed"] == ["cancel", "escalate"]
        assert ServiceRequest.objects.get(pk=request.pk).state == "new"

    def test_customer_escalates(self, desk, customer_client):
        request = desk.request_in(State.ASSIGNED)
        response = run(customer_client, request.reference, "escalate", reason="Urgent now")
        assert response.status_code == 200
        body = response.json()
        assert (body["state"], body["escalation_level"]) == ("assigned", 1)
        second = run(customer_client, request.reference, "escalate").json()
        assert second["escalation_level"] == 2
        event = Event.objects.filter(request=request).order_by("-seq")[1]
        assert (event.transition, event.actor_role) == ("escalate", "customer")
        assert event.payload["reason"] == "Urgent now"

    def test_customer_escalates_but_may_not_raise_priority(self, desk, customer_client):
        request = desk.request_in(State.ASSIGNED)
        response = run(customer_client, request.reference, "escalate", raise_priority=True)
        error_of(response, 403, "forbidden")
        unchanged = ServiceRequest.objects.get(pk=request.pk)
        assert (unchanged.priority, unchanged.escalation_level) == (request.priority, 0)

    def test_customer_reopens_after_resolve(self, desk, customer_client):
        request = desk.request_in(State.RESOLVED)
        response = run(customer_client, request.reference, "reopen", reason="Still broken")
        assert response.status_code == 200
        body = response.json()
        assert (body["state"], body["reopen_count"], body["resolved_at"]) == (
            "in_progress",
            1,
            None,
        )
        assert body["assignee"]["id"] == desk.lead.pk

    def test_customer_cancels(self, desk, customer_client):
        request = desk.request_in(State.QUEUED)
        body = run(customer_client, request.reference, "cancel").json()
        assert (body["state"], body["allowed_transitions"]) == ("cancelled", [])

    def test_another_customers_request_is_404(self, customer_client):
        theirs = submit(CustomerFactory())
        error_of(run(customer_client, theirs.reference, "cancel"), 404, "not_found")
        assert ServiceRequest.objects.get(pk=theirs.pk).state == "new"


# --- GET/POST requests/{ref}/feedback/ ---------------------------------------------------------


class TestFeedback:
    def test_not_before_the_request_is_resolved(self, desk, customer_client):
        request = desk.request_in(State.IN_PROGRESS)
        response = customer_client.post(url(request, "feedback/"), {"rating": 5}, format="json")
        assert error_of(response, 409, "not_allowed")["state"] == "in_progress"

    @pytest.mark.parametrize("state", [State.RESOLVED, State.CLOSED])
    def test_given_once_and_read_back(self, desk, customer_client, state):
        request = desk.request_in(state)
        error_of(customer_client.get(url(request, "feedback/")), 404, "not_found")
        body = {"rating": 4, "comment": "Quick, thanks"}
        response = customer_client.post(url(request, "feedback/"), body, format="json")
        assert response.status_code == 201
        assert (response.json()["rating"], response.json()["comment"]) == (4, "Quick, thanks")
        again = customer_client.post(url(request, "feedback/"), {"rating": 1}, format="json")
        error_of(again, 409, "not_allowed")
        read = customer_client.get(url(request, "feedback/"))
        assert read.status_code == 200
        assert read.json() == response.json()
        event = Event.objects.filter(request=request).order_by("-seq").first()
        assert (event.kind, event.payload) == ("feedback", {"rating": 4})

    @pytest.mark.parametrize("rating", [0, 6, "great", None])
    def test_a_rating_outside_1_to_5_is_400(self, desk, customer_client, rating):
        request = desk.request_in(State.RESOLVED)
        response = customer_client.post(
            url(request, "feedback/"), {"rating": rating}, format="json"
        )
        assert "rating" in error_of(response, 400, "invalid")["fields"]

    def test_agents_do_not_rate(self, desk, lead_client):
        request = desk.request_in(State.RESOLVED)
        response = lead_client.post(url(request, "feedback/"), {"rating": 5}, format="json")
        error_of(response, 403, "forbidden")

    def test_agents_read_it(self, desk, customer_client, lead_client):
        request = desk.request_in(State.RESOLVED)
        customer_client.post(url(request, "feedback/"), {"rating": 2}, format="json")
        assert lead_client.get(url(request, "feedback/")).json()["rating"] == 2


# --- GET queue/ --------------------------------------------------------------------------------


class TestQueue:
    @pytest.fixture
    def work(self, desk):
        """Requests across two departments; `multi` works in both."""
        multi = AgentFactory(departments=[desk.department, desk.other_department])
        customer = desk.customer
        work = {
            "untriaged": submit(customer, subject="Untriaged mouse"),
            "queued": routed(desk.department, customer=customer, subject="Queued keyboard"),
            "lead": routed(
                desk.department, customer=customer, assignee=desk.lead, subject="Lead's monitor"
            ),
            "multi": routed(
                desk.other_department, customer=customer, assignee=multi, subject="Multi's dock"
            ),
            "critical": routed(
                desk.department, customer=customer, impact="high", urgency="high", subject="Down"
            ),
        }
        work["multi_agent"] = multi
        return work

    def test_customers_get_403(self, customer_client):
        error_of(customer_client.get(QUEUE), 403, "forbidden")

    def test_agent_sees_their_departments_and_untriaged(self, work, lead_client):
        listed = refs(lead_client.get(QUEUE))
        expected = {work[k].reference for k in ("untriaged", "queued", "lead", "critical")}
        assert set(listed) == expected

    def test_default_order_is_priority_then_age(self, desk, work, lead_client):
        older_critical = routed(desk.department, impact="high", urgency="high", subject="Older")
        ServiceRequest.objects.filter(pk=older_critical.pk).update(
            created_at=timezone.now() - timedelta(days=3)
        )
        assert refs(lead_client.get(QUEUE)) == [
            older_critical.reference,
            work["critical"].reference,
            work["untriaged"].reference,
            work["queued"].reference,
            work["lead"].reference,
        ]

    def test_assignee_filters(self, desk, work, lead_client):
        multi_client = client_for(work["multi_agent"].user)
        assert refs(lead_client.get(QUEUE, {"assignee": "me"})) == [work["lead"].reference]
        assert refs(multi_client.get(QUEUE, {"assignee": "me"})) == [work["multi"].reference]
        assert refs(lead_client.get(QUEUE, {"assignee": desk.lead.pk})) == [work["lead"].reference]
        unassigned = [work[k].reference for k in ("critical", "untriaged", "queued")]
        assert refs(lead_client.get(QUEUE, {"assignee": "none"})) == unassigned
        assert refs(lead_client.get(QUEUE, {"unassigned": "true"})) == unassigned
        assigned = refs(lead_client.get(QUEUE, {"unassigned": "false"}))
        assert assigned == [work["lead"].reference]
        assert refs(lead_client.get(QUEUE, {"assignee": "somebody"})) == []

    def test_department_filter(self, desk, work):
        multi_client = client_for(work["multi_agent"].user)
        other = refs(multi_client.get(QUEUE, {"department": desk.other_department.pk}))
        assert other == [work["multi"].reference]
        ours = refs(multi_client.get(QUEUE, {"department": desk.department.pk}))
        assert set(ours) == {work[k].reference for k in ("queued", "lead", "critical")}

    def test_a_department_not_theirs_shows_nothing(self, desk, work, lead_client):
        assert refs(lead_client.get(QUEUE, {"department": desk.other_department.pk})) == []

    def test_state_and_text_filters(self, work, lead_client):
        assert refs(lead_client.get(QUEUE, {"state": "assigned"})) == [work["lead"].reference]
        new_or_queued = refs(lead_client.get(QUEUE, {"state": ["new", "queued"]}))
        assert new_or_queued == [work[k].reference for k in ("critical", "untriaged", "queued")]
        assert refs(lead_client.get(QUEUE, {"q": "keyboard"})) == [work["queued"].reference]
        ref = work["lead"].reference
        assert refs(lead_client.get(QUEUE, {"q": ref})) == [ref]

    def test_an_agent_may_reorder(self, work, lead_client):
        listed = refs(lead_client.get(QUEUE, {"ordering": "-created_at"}))
        assert listed[0] == work["critical"].reference

    def test_anonymous_is_401(self, anon_client):
        error_of(anon_client.get(QUEUE), 401, "not_authenticated")


class TestApiNotFound:
    def test_unknown_api_urls_get_the_json_error_shape(self, customer_client):
        error_of(customer_client.get("/api/v1/no-such-thing/"), 404, "not_found")

    def test_queue_shows_open_work_unless_a_state_is_asked_for(self, desk, lead_client):
        closed = desk.request_in(State.CLOSED)
        queued = desk.request_in(State.QUEUED)
        assert refs(lead_client.get(QUEUE)) == [queued.reference]
        assert refs(lead_client.get(QUEUE, {"state": "closed"})) == [closed.reference]

    def test_assignee_me_is_empty_for_a_superuser_without_an_agent_record(self, desk):
        admin = UserFactory(is_superuser=True, is_staff=True)
        desk.request_in(State.QUEUED)
        assert refs(client_for(admin).get(QUEUE, {"assignee": "me"})) == []
        assert len(refs(client_for(admin).get(QUEUE))) == 1
