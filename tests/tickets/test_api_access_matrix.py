"""Who may see and do what: customers, agents by department, superusers, strangers, anonymous."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.actors import actor_for_user as as_actor
from apps.eventlog.models import Event, EventKind
from apps.lifecycle.states import State
from apps.tickets import services
from apps.tickets.feedback import do_give_feedback
from apps.tickets.models import Feedback, Message, ServiceRequest
from apps.tickets.transition_data import RouteData, transition_data
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory, UserFactory, submit
from tests.support.api import client_for, url

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests/"
QUEUE = "/api/v1/queue/"
ME = "/api/v1/me/"
SECRET_SUBJECT = "Bob's payroll export zq9x"
SECRET_DESCRIPTION = "Salary file at //hr/bob-zq9x"
SECRET_REPLY = "Public reply to Bob zq9x"
SECRET_NOTE = "Internal note: Bob is on a watch list zq9x"


def request_for(desk, customer, state: str, **fields):
    """A request of `customer` driven into `state` in the desk's department, through the door."""
    request = submit(customer, **fields)
    for name, data in desk.steps_to(state):
        request = services.transition(
            request, name, actor=desk.actor_for(request, name), data=transition_data(name, data)
        )
    assert request.state == state
    return request


def snapshot(request) -> tuple:
    """What a refused call must leave untouched."""
    request.refresh_from_db()
    return (
        request.state,
        request.version,
        request.last_event_seq,
        Message.objects.filter(request=request).count(),
        Event.objects.filter(request=request).count(),
        Feedback.objects.filter(request=request).count(),
    )


def assert_not_found_and_silent(response, *secrets):
    """404 in the error shape, and not a word of the hidden request in the body."""
    assert response.status_code == 404, response.content
    body = response.json()
    assert list(body) == ["error"] and body["error"]["code"] == "not_found"
    text = response.content.decode()
    for secret in secrets:
        assert secret not in text, f"{secret!r} leaked in {text}"


def listed(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["reference"] for r in response.json()["results"]]


# --- customer A against customer B's request ---------------------------------------------------


@pytest.fixture
def bob(db):
    return CustomerFactory(user__username="bob", user__first_name="Bob")


@pytest.fixture
def bobs_request(desk, bob):
    """Bob's resolved request, with a public reply, an internal note and his feedback."""
    request = request_for(
        desk, bob, State.RESOLVED, subject=SECRET_SUBJECT, description=SECRET_DESCRIPTION
    )
    lead = as_actor(desk.lead.user)
    services.do_post_message(request, actor=lead, body=SECRET_REPLY)
    services.do_post_message(request, actor=lead, body=SECRET_NOTE, internal=True)
    request.refresh_from_db()
    do_give_feedback(request, actor=as_actor(bob.user), rating=2, comment="zq9x slow")
    return request


@pytest.fixture
def bobs_open_request(desk, bob):
    return request_for(desk, bob, State.IN_PROGRESS, subject=SECRET_SUBJECT)


def secrets_of(request) -> tuple:
    return (SECRET_SUBJECT, "zq9x", request.reference, "bob", "Bob")


CUSTOMER_CALLS = [
    pytest.param("get", "", None, id="detail"),
    pytest.param("get", "messages/", None, id="messages-list"),
    pytest.param("post", "messages/", {"body": "Let me in"}, id="messages-post"),
    pytest.param("post", "transitions/close/", {}, id="close"),
    pytest.param("post", "transitions/reopen/", {"reason": "again"}, id="reopen"),
    pytest.param("post", "transitions/cancel/", {}, id="cancel"),
    pytest.param("post", "transitions/escalate/", {}, id="escalate"),
    pytest.param("post", "transitions/no_such_transition/", {}, id="unknown-transition"),
    pytest.param("get", "feedback/", None, id="feedback-get"),
    pytest.param("post", "feedback/", {"rating": 1}, id="feedback-post"),
    pytest.param("get", "attachments/", None, id="attachments-list"),
    pytest.param("get", "attachments/1/", None, id="attachment-download"),
]


@pytest.mark.parametrize(("method", "tail", "body"), CUSTOMER_CALLS)
@pytest.mark.parametrize("spelling", ["reference", "number", "lowercase"])
def test_a_customer_gets_404_on_another_customers_request(
    customer_client, bobs_request, method, tail, body, spelling
):
    ref = {
        "reference": bobs_request.reference,
        "number": str(bobs_request.pk),
        "lowercase": bobs_request.reference.lower(),
    }[spelling]
    before = snapshot(bobs_request)
    path = f"{REQUESTS}{ref}/{tail}"
    response = (
        customer_client.get(path)
        if method == "get"
        else customer_client.post(path, body, format="json")
    )
    assert_not_found_and_silent(response, *secrets_of(bobs_request))
    assert snapshot(bobs_request) == before


@pytest.mark.parametrize(
    "name", ["cancel", "escalate", "customer_reply", "resolve", "request_info", "close"]
)
def test_a_customer_cannot_act_on_another_customers_open_request(
    customer_client, bobs_open_request, name
):
    before = snapshot(bobs_open_request)
    response = customer_client.post(
        url(bobs_open_request, f"transitions/{name}/"), {}, format="json"
    )
    assert_not_found_and_silent(response, *secrets_of(bobs_open_request))
    response = customer_client.post(
        url(bobs_open_request, "messages/"), {"body": "hi"}, format="json"
    )
    assert_not_found_and_silent(response, *secrets_of(bobs_open_request))
    assert snapshot(bobs_open_request) == before


def test_a_customer_lists_and_finds_only_their_own(customer, customer_client, desk, bobs_request):
    own = [request_for(desk, customer, State.QUEUED), submit(customer, subject="Mine")]
    response = customer_client.get(REQUESTS, {"page_size": 100})
    assert sorted(listed(response)) == sorted(r.reference for r in own)
    for secret in secrets_of(bobs_request):
        assert secret not in response.content.decode()
    for q in (SECRET_SUBJECT, "zq9x", bobs_request.reference, str(bobs_request.pk)):
        assert listed(customer_client.get(REQUESTS, {"q": q})) == [], q
    for state in (State.RESOLVED, State.IN_PROGRESS):
        assert bobs_request.reference not in listed(customer_client.get(REQUESTS, {"state": state}))


def test_bob_still_sees_his_own(bob, bobs_request):
    client = client_for(bob.user)
    assert listed(client.get(REQUESTS)) == [bobs_request.reference]
    assert client.get(url(bobs_request)).json()["subject"] == SECRET_SUBJECT
    assert client.get(url(bobs_request, "feedback/")).json()["rating"] == 2


def test_a_customer_cannot_submit_for_another_customer(customer_client, bob):
    response = customer_client.post(REQUESTS, {"subject": "x", "customer": bob.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not ServiceRequest.objects.filter(customer=bob).exists()


# --- agents by department ----------------------------------------------------------------------


@pytest.fixture
def stranger(desk):
    """An agent of the other department only."""
    return AgentFactory(user__username="yuri", departments=[desk.other_department])


@pytest.fixture
def stranger_client(stranger):
    return client_for(stranger.user)


@pytest.fixture
def superuser_client(db):
    return client_for(UserFactory(username="root", is_superuser=True, is_staff=True))


AGENT_CALLS = [
    pytest.param("get", "", None, id="detail"),
    pytest.param("get", "messages/", None, id="messages-list"),
    pytest.param("post", "messages/", {"body": "Taking over"}, id="messages-post"),
    pytest.param("post", "messages/", {"body": "x", "internal": True}, id="internal-note"),
    pytest.param("post", "transitions/assign/", "self", id="assign"),
    pytest.param("post", "transitions/reassign/", "self", id="reassign"),
    pytest.param("post", "transitions/start/", {}, id="start"),
    pytest.param("post", "transitions/resolve/", {}, id="resolve"),
    pytest.param("post", "transitions/escalate/", {}, id="escalate"),
    pytest.param("post", "transitions/reprioritize/", {"priority": 1}, id="reprioritize"),
    pytest.param("post", "transitions/transfer/", "own-department", id="transfer"),
    pytest.param("post", "transitions/cancel/", {}, id="cancel"),
    pytest.param("get", "feedback/", None, id="feedback-get"),
    pytest.param("get", "attachments/", None, id="attachments-list"),
]


@pytest.mark.parametrize("state", [State.QUEUED, State.ASSIGNED, State.IN_PROGRESS])
@pytest.mark.parametrize(("method", "tail", "body"), AGENT_CALLS)
def test_an_agent_gets_404_on_another_departments_request(
    customer, desk, stranger, stranger_client, state, method, tail, body
):
    request = request_for(desk, customer, state, subject=SECRET_SUBJECT)
    if body == "self":
        body = {"assignee": stranger.pk}
    elif body == "own-department":
        body = {"department": desk.other_department.pk}
    before = snapshot(request)
    path = url(request, tail)
    response = (
        stranger_client.get(path)
        if method == "get"
        else stranger_client.post(path, body, format="json")
    )
    assert_not_found_and_silent(response, SECRET_SUBJECT, request.reference)
    assert snapshot(request) == before


def test_an_agent_lists_only_their_departments_and_untriaged(
    customer, desk, stranger, stranger_client, lead_client
):
    theirs = request_for(desk, customer, State.IN_PROGRESS, subject=SECRET_SUBJECT)
    queued = request_for(desk, customer, State.QUEUED, subject=SECRET_SUBJECT)
    resolved = request_for(desk, customer, State.RESOLVED, subject=SECRET_SUBJECT)
    untriaged = submit(customer, subject="Untriaged")
    awaiting = request_for(desk, customer, State.AWAITING_APPROVAL, subject="Awaiting")
    own = services.transition(
        submit(customer, subject="Stranger's own"),
        "route",
        actor=as_actor(stranger.user),
        data=RouteData(department=desk.other_department),
    )
    hidden = {theirs.reference, queued.reference, resolved.reference}
    visible = {untriaged.reference, awaiting.reference, own.reference}

    for path in (QUEUE, REQUESTS):
        response = stranger_client.get(path, {"page_size": 100})
        assert set(listed(response)) == visible, path
        assert SECRET_SUBJECT not in response.content.decode()
        for params in ({"q": SECRET_SUBJECT}, {"q": theirs.reference}, {"state": "in_progress"}):
            assert listed(stranger_client.get(path, params)) == [], (path, params)
    for params in ({"department": desk.department.pk}, {"assignee": desk.lead.pk}):
        assert listed(stranger_client.get(QUEUE, params)) == [], params

    # The department's own lead sees them all, the other department's request not.
    expected = hidden | (visible - {own.reference})
    assert set(listed(lead_client.get(QUEUE, {"page_size": 100}))) == expected


@pytest.mark.parametrize("state", [State.NEW, State.AWAITING_APPROVAL, State.BOT_ANSWERED])
def test_untriaged_requests_are_visible_to_any_agent(customer, desk, stranger_client, state):
    request = request_for(desk, customer, state)
    assert request.department_id is None
    assert stranger_client.get(url(request)).status_code == 200
    assert stranger_client.get(url(request, "messages/")).status_code == 200
    assert request.reference in listed(stranger_client.get(QUEUE))
    assert request.reference in listed(stranger_client.get(REQUESTS))


def test_any_agent_may_triage_an_untriaged_request(customer, desk, stranger, stranger_client):
    request = submit(customer)
    response = stranger_client.post(
        url(request, "transitions/route/"), {"department": desk.other_department.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["department"]["id"] == desk.other_department.pk


def test_a_superuser_sees_and_acts_on_every_department(customer, desk, stranger, superuser_client):
    in_desk = request_for(desk, customer, State.IN_PROGRESS, subject="Desk's")
    elsewhere = services.transition(
        submit(customer, subject="Elsewhere"),
        "route",
        actor=as_actor(stranger.user),
        data=RouteData(department=desk.other_department),
    )
    untriaged = submit(customer, subject="Untriaged")
    every = {in_desk.reference, elsewhere.reference, untriaged.reference}
    assert set(listed(superuser_client.get(QUEUE))) == every
    assert set(listed(superuser_client.get(REQUESTS))) == every
    for request in (in_desk, elsewhere):
        assert superuser_client.get(url(request)).status_code == 200
        assert superuser_client.get(url(request, "messages/")).status_code == 200
    response = superuser_client.post(
        url(elsewhere, "transitions/assign/"), {"assignee": stranger.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    response = superuser_client.post(url(in_desk, "transitions/resolve/"), {}, format="json")
    assert response.status_code == 200, response.content


def test_a_transfer_out_of_sight_answers_204_and_then_404(customer, desk, lead_client):
    request = request_for(desk, customer, State.QUEUED, subject=SECRET_SUBJECT)
    response = lead_client.post(
        url(request, "transitions/transfer/"),
        {"department": desk.other_department.pk},
        format="json",
    )
    assert response.status_code == 204
    assert response.content == b""
    assert_not_found_and_silent(lead_client.get(url(request)), SECRET_SUBJECT)
    assert request.reference not in listed(lead_client.get(QUEUE))


# --- internal notes ----------------------------------------------------------------------------


@pytest.fixture
def noted(customer, desk):
    """The customer's request in progress with a public reply and an internal note."""
    request = request_for(desk, customer, State.IN_PROGRESS, subject="Printer on fire")
    lead = as_actor(desk.lead.user)
    services.do_post_message(request, actor=lead, body="We are on it.")
    services.do_post_message(request, actor=lead, body=SECRET_NOTE, internal=True)
    return request


def test_customers_never_see_internal_notes(customer_client, noted):
    responses = {
        "detail": customer_client.get(url(noted)),
        "list": customer_client.get(REQUESTS),
        "messages": customer_client.get(url(noted, "messages/")),
        "search-list": customer_client.get(REQUESTS, {"q": "watch list"}),
        "queue": customer_client.get(QUEUE),
        "queue-search": customer_client.get(QUEUE, {"q": "watch list"}),
    }
    for name, response in responses.items():
        assert response.status_code < 500, name
        assert "watch list" not in response.content.decode(), name
        assert "internal" not in response.content.decode(), name
    assert responses["queue"].status_code == 403
    assert responses["queue-search"].status_code == 403
    assert listed(responses["search-list"]) == []
    thread = responses["messages"].json()["results"]
    assert [(m["body"], m["visibility"]) for m in thread] == [("We are on it.", "public")]


def test_agents_see_internal_notes(desk, noted):
    for agent in (desk.lead, desk.second):
        thread = client_for(agent.user).get(url(noted, "messages/")).json()["results"]
        assert [(m["body"], m["visibility"]) for m in thread] == [
            ("We are on it.", "public"),
            (SECRET_NOTE, "internal"),
        ]


def test_an_agent_posts_an_internal_note_the_customer_never_sees(
    customer_client, lead_client, noted
):
    response = lead_client.post(
        url(noted, "messages/"), {"body": "Check zq9x logs", "internal": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["visibility"] == "internal"
    thread = customer_client.get(url(noted, "messages/")).json()["results"]
    assert "Check zq9x logs" not in [m["body"] for m in thread]


def test_a_customer_may_not_post_an_internal_note(customer_client, noted):
    before = snapshot(noted)
    response = customer_client.post(
        url(noted, "messages/"), {"body": "psst", "internal": True}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert snapshot(noted) == before


def test_a_customer_gets_403_on_the_queue(customer_client, noted):
    for params in ({}, {"assignee": "me"}, {"unassigned": "true"}, {"page_size": 100}):
        response = customer_client.get(QUEUE, params)
        assert response.status_code == 403
        assert list(response.json()) == ["error"]
        assert response.json()["error"]["code"] == "forbidden"


# --- anonymous callers and users who are neither agent nor customer ---------------------------


def every_endpoint(ref: str) -> list[tuple[str, str]]:
    return [
        ("get", ME),
        ("get", REQUESTS),
        ("post", REQUESTS),
        ("get", f"{REQUESTS}{ref}/"),
        ("get", f"{REQUESTS}{ref}/messages/"),
        ("post", f"{REQUESTS}{ref}/messages/"),
        ("post", f"{REQUESTS}{ref}/transitions/cancel/"),
        ("get", f"{REQUESTS}{ref}/feedback/"),
        ("post", f"{REQUESTS}{ref}/feedback/"),
        ("get", f"{REQUESTS}{ref}/attachments/"),
        ("get", f"{REQUESTS}{ref}/attachments/1/"),
        ("get", QUEUE),
    ]


ENDPOINT_IDS = [f"{m} {p.replace('/api/v1/', '')}" for m, p in every_endpoint("{ref}")]


def call(client, method: str, path: str):
    if method == "get":
        return client.get(path)
    return client.post(path, {"body": "x", "subject": "x", "rating": 5}, format="json")


@pytest.mark.parametrize("index", range(len(every_endpoint(""))), ids=ENDPOINT_IDS)
def test_anonymous_gets_401_everywhere(anon_client, customer, desk, index):
    request = request_for(desk, customer, State.RESOLVED, subject=SECRET_SUBJECT)
    method, path = every_endpoint(request.reference)[index]
    before = snapshot(request)
    response = call(anon_client, method, path)
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"
    assert SECRET_SUBJECT not in response.content.decode()
    assert snapshot(request) == before
    assert ServiceRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("post", "/api/v1/auth/token/", 400),
        ("get", "/api/schema/", 200),
        ("get", "/api/docs/", 200),
        ("get", "/api/redoc/", 200),
    ],
)
def test_anonymous_may_sign_in_and_read_the_schema(anon_client, method, path, status):
    assert getattr(anon_client, method)(path).status_code == status


@pytest.fixture(
    params=["plain", "staff", "inactive-customer", "inactive-agent"],
)
def outsider(request, desk):
    """A signed-in user the desk does not serve (or no longer does)."""
    if request.param == "plain":
        return UserFactory(username="walker"), 403
    if request.param == "staff":  # staff opens the admin only; it gives no power over requests
        return UserFactory(username="staffer", is_staff=True), 403
    if request.param == "inactive-customer":
        return CustomerFactory(user__username="gone", user__is_active=False).user, 401
    agent = AgentFactory(
        user__username="left", user__is_active=False, departments=[desk.department]
    )
    return agent.user, 401


@pytest.mark.parametrize("index", range(len(every_endpoint(""))), ids=ENDPOINT_IDS)
def test_users_who_are_neither_agent_nor_customer_get_403(customer, desk, outsider, index):
    user, status = outsider
    request = request_for(desk, customer, State.RESOLVED, subject=SECRET_SUBJECT)
    method, path = every_endpoint(request.reference)[index]
    if path == ME and status == 403:
        status = 200  # me/ tells them who they are, and that they have no role
    client = client_for(user)
    before = snapshot(request)
    response = call(client, method, path)
    assert response.status_code == status, response.content
    assert SECRET_SUBJECT not in response.content.decode()
    if status == 200:
        assert response.json()["role"] is None
    else:
        assert list(response.json()) == ["error"]
    assert snapshot(request) == before
    assert ServiceRequest.objects.count() == 1


# --- every API transition lands in the event log with its actor --------------------------------

# (state the request is in, transition, who calls it, body)
API_TRANSITIONS = [
    (State.NEW, "route", "lead", {"department": "desk"}),
    (State.NEW, "require_approval", "lead", {}),
    (State.AWAITING_APPROVAL, "approve", "superuser", {}),
    (State.AWAITING_APPROVAL, "reject", "superuser", {}),
    (State.BOT_ANSWERED, "accept_answer", "customer", {}),
    (State.BOT_ANSWERED, "decline_answer", "customer", {}),
    (State.QUEUED, "assign", "lead", {"assignee": "lead"}),
    (State.QUEUED, "reprioritize", "lead", {"priority": 1}),
    (State.QUEUED, "escalate", "customer", {}),
    (State.QUEUED, "escalate", "lead", {"raise_priority": True}),
    (State.QUEUED, "transfer", "lead", {"department": "other"}),
    (State.QUEUED, "cancel", "customer", {}),
    (State.ASSIGNED, "start", "lead", {}),
    (State.ASSIGNED, "unassign", "lead", {}),
    (State.ASSIGNED, "reassign", "second", {"assignee": "second"}),
    (State.IN_PROGRESS, "request_info", "lead", {}),
    (State.IN_PROGRESS, "resolve", "lead", {}),
    (State.PENDING_CUSTOMER, "customer_reply", "customer", {}),
    (State.PENDING_CUSTOMER, "resolve", "superuser", {}),
    (State.RESOLVED, "reopen", "customer", {}),
    (State.RESOLVED, "close", "customer", {}),
    (State.RESOLVED, "close", "second", {}),
]


@pytest.mark.parametrize(
    ("state", "name", "who", "body"),
    API_TRANSITIONS,
    ids=[f"{s}-{n}-by-{w}" for s, n, w, _ in API_TRANSITIONS],
)
def test_every_api_transition_is_logged_with_its_actor(customer, desk, state, name, who, body):
    users = {
        "customer": customer.user,
        "lead": desk.lead.user,
        "second": desk.second.user,
        "superuser": UserFactory(username="root", is_superuser=True),
    }
    values = {
        "desk": desk.department.pk,
        "other": desk.other_department.pk,
        "lead": desk.lead.pk,
        "second": desk.second.pk,
    }
    request = request_for(desk, customer, state)
    body = {k: values.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    body.update(reason=f"API check of {name}", version=request.version)
    last_seq = request.last_event_seq

    response = client_for(users[who]).post(
        url(request, f"transitions/{name}/"), body, format="json"
    )

    assert response.status_code in (200, 204), response.content
    request.refresh_from_db()
    events = list(Event.objects.filter(request=request, seq__gt=last_seq))
    assert len(events) == 1
    event = events[0]
    assert (event.kind, event.transition) == (EventKind.TRANSITION, name)
    assert (event.actor_id, event.actor_role) == (users[who].pk, who_role(who))
    assert (event.from_state, event.to_state) == (state, request.state)
    assert event.seq == request.last_event_seq == last_seq + 1
    assert event.payload["reason"] == f"API check of {name}"
    if response.status_code == 200:
        assert response.json()["state"] == request.state
        assert response.json()["version"] == request.version


def who_role(who: str) -> str:
    return "customer" if who == "customer" else "agent"


def test_a_customer_reply_by_message_logs_the_customer_as_actor(customer, customer_client, desk):
    request = request_for(desk, customer, State.PENDING_CUSTOMER)
    last_seq = request.last_event_seq
    response = customer_client.post(
        url(request, "messages/"), {"body": "Here it is"}, format="json"
    )
    assert response.status_code == 201
    events = list(Event.objects.filter(request=request, seq__gt=last_seq).order_by("seq"))
    assert [(e.kind, e.transition, e.actor_id, e.actor_role) for e in events] == [
        (EventKind.MESSAGE, "", customer.user.pk, "customer"),
        (EventKind.TRANSITION, "customer_reply", customer.user.pk, "customer"),
    ]
    assert events[-1].to_state == State.IN_PROGRESS


def test_a_customer_submit_through_the_api_is_logged_with_the_customer(customer, customer_client):
    response = customer_client.post(REQUESTS, {"subject": "Logged"}, format="json")
    assert response.status_code == 201
    event = Event.objects.get(request__subject="Logged")
    assert (event.transition, event.actor_id, event.actor_role) == (
        "submit",
        customer.user.pk,
        "customer",
    )


@pytest.mark.parametrize(
    ("state", "name", "who", "status"),
    [
        (State.IN_PROGRESS, "resolve", "customer", 403),
        (State.IN_PROGRESS, "start", "lead", 409),
        (State.IN_PROGRESS, "resolve", "second", 403),  # not theirs, and not a lead
        (State.AWAITING_APPROVAL, "approve", "lead", 403),  # no department to lead yet
        (State.CLOSED, "reopen", "customer", 409),
    ],
)
def test_a_refused_transition_leaves_no_event(customer, desk, state, name, who, status):
    users = {"customer": customer.user, "lead": desk.lead.user, "second": desk.second.user}
    request = request_for(desk, customer, state)
    before = snapshot(request)
    response = client_for(users[who]).post(url(request, f"transitions/{name}/"), {}, format="json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["state"] == state
    assert name not in response.json()["error"]["allowed"]
    assert snapshot(request) == before


# --- handoffs: roles x endpoints on one consult between two departments ----------------------

HANDOFF_REASON = "Internal: ask Legal about clause zq9x"


@pytest.fixture
def consult(customer, desk):
    """The desk's request in progress, with a consult asked of the other department."""
    from apps.handoffs.services import do_request_handoff

    request = request_for(desk, customer, State.IN_PROGRESS, subject=SECRET_SUBJECT)
    handoff = do_request_handoff(
        request,
        actor=as_actor(desk.lead.user),
        kind="consult",
        to_department=desk.other_department,
        reason=HANDOFF_REASON,
    )
    return request, handoff


def handoff_callers(desk, customer) -> dict:
    third = DepartmentFactory(code="third")
    return {
        "anonymous": None,
        "customer": customer.user,
        "other-customer": CustomerFactory(user__username="eve").user,
        "plain-user": UserFactory(username="walker"),
        "sender": desk.lead.user,
        "receiver": AgentFactory(departments=[desk.other_department]).user,
        "third-department": AgentFactory(departments=[third]).user,
        "superuser": UserFactory(username="root", is_superuser=True),
    }


# What each caller gets: a status, and whether the handoff shows (None: not a list).
HANDOFF_MATRIX = {
    "list": {
        "anonymous": (401, None),
        "customer": (403, None),
        "other-customer": (403, None),
        "plain-user": (403, None),
        "sender": (200, True),
        "receiver": (200, True),
        "third-department": (200, False),
        "superuser": (200, True),
    },
    "inbox": {
        "anonymous": (401, None),
        "customer": (403, None),
        "other-customer": (403, None),
        "plain-user": (403, None),
        "sender": (200, False),
        "receiver": (200, True),
        "third-department": (200, False),
        "superuser": (200, True),
    },
    "detail": {
        "anonymous": (401, None),
        "customer": (403, None),
        "other-customer": (403, None),
        "plain-user": (403, None),
        "sender": (200, None),
        "receiver": (200, None),
        "third-department": (404, None),
        "superuser": (200, None),
    },
    "of-request": {
        "anonymous": (401, None),
        "customer": (403, None),
        "other-customer": (403, None),
        "plain-user": (403, None),
        "sender": (200, True),
        "receiver": (404, None),  # the request is not its department's
        "third-department": (404, None),
        "superuser": (200, True),
    },
    "accept": {
        "anonymous": (401, None),
        "customer": (403, None),
        "other-customer": (403, None),
        "plain-user": (403, None),
        "sender": (403, None),
        "receiver": (200, None),
        "third-department": (404, None),
        "superuser": (200, None),
    },
}


def handoff_call(client, endpoint: str, request, handoff):
    paths = {
        "list": "/api/v1/handoffs/",
        "inbox": "/api/v1/handoffs/inbox/",
        "detail": f"/api/v1/handoffs/{handoff.pk}/",
        "of-request": url(request, "handoffs/"),
    }
    if endpoint == "accept":
        body = {"version": handoff.version}
        return client.post(
            f"/api/v1/handoffs/{handoff.pk}/transitions/accept/", body, format="json"
        )
    return client.get(paths[endpoint])


@pytest.mark.parametrize("endpoint", list(HANDOFF_MATRIX))
def test_handoffs_show_only_to_the_two_departments(customer, desk, consult, endpoint):
    request, handoff = consult
    for who, user in handoff_callers(desk, customer).items():
        status, shows = HANDOFF_MATRIX[endpoint][who]
        client = client_for(user) if user else APIClient()
        response = handoff_call(client, endpoint, request, handoff)
        assert response.status_code == status, (who, response.content[:300])
        text = response.content.decode()
        if status != 200:
            assert HANDOFF_REASON not in text and SECRET_SUBJECT not in text, who
        if shows is not None:
            body = response.json()
            items = body["results"] if isinstance(body, dict) else body
            assert (handoff.pk in [h["id"] for h in items]) is shows, (who, items)
        if endpoint == "accept" and status == 200:
            handoff.refresh_from_db()  # accepted: the next caller finds it so
            break


# --- quality and analytics reports: staff only ------------------------------------------------

STAFF_REPORTS = [
    "/api/v1/quality/control-charts/",
    "/api/v1/quality/alerts/",
    "/api/v1/quality/feedback/",
    "/api/v1/quality/scorecard/",
    "/api/v1/analytics/metrics/",
    "/api/v1/analytics/series/",
    "/api/v1/analytics/process-map/",
    "/api/v1/analytics/variants/",
    "/api/v1/analytics/bottleneck/",
    "/api/v1/analytics/export/",
]


@pytest.mark.parametrize("path", STAFF_REPORTS)
def test_reports_are_for_staff_only(customer, desk, path):
    request_for(desk, customer, State.RESOLVED, subject=SECRET_SUBJECT)
    non_staff_agent = AgentFactory(departments=[desk.department]).user
    staff_agent = desk.lead.user
    staff_agent.is_staff = True
    staff_agent.save(update_fields=["is_staff"])
    expected = [
        (None, 401),
        (customer.user, 403),
        (UserFactory(username="walker"), 403),
        (non_staff_agent, 403),
        (CustomerFactory(user__username="gone", user__is_active=False).user, 401),
    ]
    for user, status in expected:
        client = client_for(user) if user else APIClient()
        response = client.get(path)
        assert response.status_code == status, (user, response.content[:300])
        assert SECRET_SUBJECT not in response.content.decode()
    for user in (staff_agent, UserFactory(username="root", is_staff=True, is_superuser=True)):
        response = client_for(user).get(path)
        assert response.status_code in (200, 400), (user, response.content[:300])


# --- the admin: staff only, scoped to the agent's departments ---------------------------------


def test_the_admin_is_for_staff_only(client, customer, desk):
    request = request_for(desk, customer, State.IN_PROGRESS, subject=SECRET_SUBJECT)
    change = f"/admin/tickets/servicerequest/{request.pk}/change/"
    for user in (customer.user, UserFactory(username="walker"), desk.second.user):
        client.force_login(user)  # none of them is staff
        for path in ("/admin/", "/admin/tickets/servicerequest/", change):
            response = client.get(path)
            assert response.status_code == 302, (user, path)
            assert response["Location"].startswith("/admin/login/")
    client.logout()
    assert client.get(change).status_code == 302


def test_the_admin_hides_other_departments_requests_from_staff_agents(client, customer, desk):
    request = request_for(desk, customer, State.IN_PROGRESS, subject=SECRET_SUBJECT)
    stranger = AgentFactory(departments=[desk.other_department]).user
    stranger.is_staff = True
    stranger.save(update_fields=["is_staff"])
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name="Agents").first()
    if group:
        stranger.groups.add(group)
    client.force_login(stranger)
    listing = client.get("/admin/tickets/servicerequest/")
    assert SECRET_SUBJECT not in listing.content.decode()
    change = client.get(f"/admin/tickets/servicerequest/{request.pk}/change/")
    assert change.status_code in (302, 403, 404)
    assert SECRET_SUBJECT not in change.content.decode()


# --- attachments: roles x endpoints on one request with a file of each kind -------------------

ATTACHED_NOTE = "Internal: their VPN config zq9x"


@pytest.fixture
def filed(customer, desk, attachment_dir):
    """The customer's request in progress with a file given at submission, a public reply's
    file and an internal note's file (named so that a leak shows)."""
    from apps.tickets.attachments import (
        IncomingFile,
        do_attach_files,
        do_post_message_with_files,
    )
    from tests.support.attachments import PDF, PNG, TEXT

    request = request_for(desk, customer, State.IN_PROGRESS, subject=SECRET_SUBJECT)
    (submitted,) = do_attach_files(
        request, actor=as_actor(customer.user), files=[IncomingFile("scan.pdf", PDF)]
    )
    lead = as_actor(desk.lead.user)
    reply = do_post_message_with_files(
        request, actor=lead, body="Fixed", files=[IncomingFile("fix.txt", TEXT)]
    )
    note = do_post_message_with_files(
        request,
        actor=lead,
        body=ATTACHED_NOTE,
        internal=True,
        files=[IncomingFile("secret-zq9x.png", PNG)],
    )
    return request, {
        "submitted": submitted,
        "reply": reply.attachments.get(),
        "internal": note.attachments.get(),
    }


def attachment_callers(desk, customer) -> dict:
    return {
        "anonymous": None,
        "customer": customer.user,
        "other-customer": CustomerFactory(user__username="eve").user,
        "plain-user": UserFactory(username="walker"),
        "agent": desk.second.user,
        "other-department": AgentFactory(departments=[desk.other_department]).user,
        "superuser": UserFactory(username="root", is_superuser=True),
    }


# What each caller gets: a status, and for the list which files it shows.
ATTACHMENT_MATRIX = {
    "list": {
        "anonymous": (401, None),
        "customer": (200, ["submitted", "reply"]),
        "other-customer": (404, None),
        "plain-user": (403, None),
        "agent": (200, ["submitted", "reply", "internal"]),
        "other-department": (404, None),
        "superuser": (200, ["submitted", "reply", "internal"]),
    },
    "download-submitted": {
        "anonymous": (401, None),
        "customer": (200, None),
        "other-customer": (404, None),
        "plain-user": (403, None),
        "agent": (200, None),
        "other-department": (404, None),
        "superuser": (200, None),
    },
    "download-reply": {
        "anonymous": (401, None),
        "customer": (200, None),
        "other-customer": (404, None),
        "plain-user": (403, None),
        "agent": (200, None),
        "other-department": (404, None),
        "superuser": (200, None),
    },
    "download-internal": {
        "anonymous": (401, None),
        "customer": (404, None),  # an internal note's file never reaches the customer
        "other-customer": (404, None),
        "plain-user": (403, None),
        "agent": (200, None),
        "other-department": (404, None),
        "superuser": (200, None),
    },
    "detail": {
        "anonymous": (401, None),
        "customer": (200, ["submitted", "reply"]),
        "other-customer": (404, None),
        "plain-user": (403, None),
        "agent": (200, ["submitted", "reply", "internal"]),
        "other-department": (404, None),
        "superuser": (200, ["submitted", "reply", "internal"]),
    },
    "upload": {
        "anonymous": (401, None),
        "customer": (201, None),
        "other-customer": (404, None),
        "plain-user": (403, None),
        "agent": (201, None),
        "other-department": (404, None),
        "superuser": (201, None),
    },
}


def attachment_call(client, endpoint: str, request, files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.support.attachments import PDF

    if endpoint == "upload":
        body = {"body": "One more", "files": [SimpleUploadedFile("more.pdf", PDF)]}
        return client.post(url(request, "messages/"), body, format="multipart")
    if endpoint == "list":
        return client.get(url(request, "attachments/"))
    if endpoint == "detail":
        return client.get(url(request))
    return client.get(url(request, f"attachments/{files[endpoint.split('-')[1]].pk}/"))


@pytest.mark.parametrize("endpoint", list(ATTACHMENT_MATRIX))
def test_attachments_show_only_to_who_reaches_the_request(customer, desk, filed, endpoint):
    request, files = filed
    names = {files[key].pk: key for key in files}
    for who, user in attachment_callers(desk, customer).items():
        status, shows = ATTACHMENT_MATRIX[endpoint][who]
        client = client_for(user) if user else APIClient()
        response = attachment_call(client, endpoint, request, files)
        assert response.status_code == status, (who, endpoint, response.content[:300])
        if status >= 400:
            text = response.content.decode()
            for secret in (SECRET_SUBJECT, "zq9x", "scan.pdf", "fix.txt"):
                assert secret not in text, (who, endpoint, secret)
            assert list(response.json()) == ["error"]
        if shows is not None:
            body = response.json()
            items = body["results"] if "results" in body else body["attachments"]
            assert [names[item["id"]] for item in items] == shows, (who, endpoint)
            if "internal" not in shows:
                assert "secret-zq9x" not in response.content.decode(), who
    assert ATTACHED_NOTE not in str(ATTACHMENT_MATRIX)


def test_customers_never_get_an_internal_notes_file_by_any_path(customer_client, filed):
    request, files = filed
    secret = files["internal"]
    paths = [
        url(request),
        url(request, "messages/"),
        url(request, "attachments/"),
        url(request, f"attachments/{secret.pk}/"),
        REQUESTS,
    ]
    for path in paths:
        response = customer_client.get(path)
        assert response.status_code in (200, 404), path
        assert "secret-zq9x" not in response.content.decode(), path
        assert f"/attachments/{secret.pk}/" not in response.content.decode(), path


def test_an_attachment_id_is_not_found_under_another_request(
    customer, customer_client, desk, filed
):
    request, files = filed
    other = request_for(desk, customer, State.IN_PROGRESS)
    for key in ("submitted", "reply"):
        response = customer_client.get(url(other, f"attachments/{files[key].pk}/"))
        assert_not_found_and_silent(response, "scan.pdf", "fix.txt", request.reference)


def test_the_admin_download_follows_the_same_rules(client, customer, desk, filed, agents_group):
    files = filed[1]
    stranger = AgentFactory(departments=[desk.other_department]).user
    plain_staff = UserFactory(username="staffer", is_staff=True)
    for user in (desk.lead.user, stranger, plain_staff):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(agents_group)
    admin_url = "/admin/tickets/attachment/{pk}/download/"
    client.force_login(desk.lead.user)
    for file in files.values():
        response = client.get(admin_url.format(pk=file.pk))
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
    for user in (stranger, plain_staff):  # another department; staff but not an agent
        client.force_login(user)
        for file in files.values():
            assert client.get(admin_url.format(pk=file.pk)).status_code == 404
    client.force_login(customer.user)  # not staff: the admin is closed to them
    assert client.get(admin_url.format(pk=files["submitted"].pk)).status_code == 302
    client.logout()
    assert client.get(admin_url.format(pk=files["submitted"].pk)).status_code == 302


# --- notifications: a person's own only ------------------------------------------------------


def test_notifications_are_their_recipients_own(customer, desk):
    from apps.notifications.services import do_notify

    (mine,) = do_notify(
        recipients=[customer.user], kind="feedback_invitation", title="Rate us", body=""
    )
    stranger = CustomerFactory(user__username="eve").user
    (theirs,) = do_notify(recipients=[stranger], kind="feedback_invitation", title="zq9x", body="")
    endpoints = [
        ("get", "/api/v1/notifications/"),
        ("post", "/api/v1/notifications/read-all/"),
        ("post", f"/api/v1/notifications/{mine.pk}/read/"),
    ]
    for method, path in endpoints:
        response = getattr(APIClient(), method)(path)
        assert response.status_code == 401, path
    client = client_for(customer.user)
    listed_ids = [n["id"] for n in client.get("/api/v1/notifications/").json()["results"]]
    assert listed_ids == [mine.pk]
    response = client.post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert_not_found_and_silent(response, "zq9x")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(f"/api/v1/notifications/{mine.pk}/read/").status_code == 200
