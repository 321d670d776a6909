"""Hostile and malformed input: never a 500, always a 4xx in the one JSON error shape."""

import json

import pytest
from django.db import connection

from apps.lifecycle.states import State
from apps.tickets.models import Feedback, Message, ServiceRequest
from tests.factories import AgentFactory, submit
from tests.support.api import url

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests/"
QUEUE = "/api/v1/queue/"
TOKEN = "/api/v1/auth/token/"
BIG = 99999999999999999999999  # beyond 64 bits
NESTED = "[" * 10_000 + "]" * 10_000


def send(client, path, body, method="post", **extra):
    """Send `body` as JSON text: a str is sent verbatim, anything else through json.dumps
    (which escapes lone surrogates and NUL the way a client's JSON library would)."""
    if method == "get":
        return client.get(path, **extra)
    text = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(path, data=text, content_type="application/json", **extra)


def assert_error(response, *fields, status=None, code=None):
    """A 4xx in the one error shape, naming `fields` where given; returns the error object."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"], body
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    for name in fields:
        assert name in error.get("fields", {}), error
    return error


@pytest.fixture
def own_request(customer):
    return submit(customer, subject="My own request")


# --- request bodies that are not JSON objects --------------------------------------------------

NOT_AN_OBJECT = [
    pytest.param('{"subject": "unterminated', "malformed", id="malformed"),
    pytest.param("{'subject': 'single quotes'}", "malformed", id="single-quotes"),
    pytest.param('{"subject": NaN}', "malformed", id="nan"),
    pytest.param('{"subject": "x"} trailing', "malformed", id="trailing-garbage"),
    pytest.param("\xef\xbb\xbf{}", None, id="bom-mojibake"),
    pytest.param("[]", "invalid", id="array"),
    pytest.param('[{"subject": "in a list"}]', "invalid", id="array-of-object"),
    pytest.param('"just a string"', "invalid", id="string"),
    pytest.param("42", "invalid", id="number"),
    pytest.param("true", "invalid", id="boolean"),
    pytest.param("null", "invalid", id="null"),
    pytest.param('{"subject": ' + NESTED + "}", None, id="deep-nesting-in-field"),
    pytest.param(NESTED, None, id="deep-nesting-body"),
    pytest.param('{"subject": ' + "1" * 5000 + "}", None, id="5000-digit-number"),
]


@pytest.mark.parametrize(("text", "code"), NOT_AN_OBJECT)
def test_create_refuses_bodies_that_are_not_an_object(customer_client, text, code):
    assert_error(send(customer_client, REQUESTS, text), status=400, code=code)
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(("text", "code"), NOT_AN_OBJECT)
@pytest.mark.parametrize("tail", ["messages/", "transitions/cancel/", "feedback/"])
def test_request_actions_refuse_bodies_that_are_not_an_object(
    customer_client, own_request, tail, text, code
):
    assert_error(send(customer_client, url(own_request, tail), text), status=400, code=code)
    own_request.refresh_from_db()
    assert own_request.state == State.NEW
    assert not Message.objects.exists()


@pytest.mark.parametrize(("text", "code"), NOT_AN_OBJECT)
def test_sign_in_refuses_bodies_that_are_not_an_object(anon_client, text, code):
    assert_error(send(anon_client, TOKEN, text), status=400, code=code)


# --- fields of the wrong type, unknown choices, oversize and forbidden characters --------------

CREATE_CASES = [
    pytest.param({}, "subject", id="subject-missing"),
    pytest.param({"subject": ""}, "subject", id="subject-empty"),
    pytest.param({"subject": True}, "subject", id="subject-boolean"),
    pytest.param({"subject": {"a": 1}}, "subject", id="subject-object"),
    pytest.param({"subject": ["a"]}, "subject", id="subject-list"),
    pytest.param({"subject": None}, "subject", id="subject-null"),
    pytest.param({"subject": "x" * 201}, "subject", id="subject-201"),
    pytest.param({"subject": "a\x00b"}, "subject", id="subject-nul"),
    pytest.param({"subject": "a\ud800b"}, "subject", id="subject-lone-surrogate"),
    pytest.param({"subject": "a\udfffb"}, "subject", id="subject-lone-low-surrogate"),
    pytest.param({"subject": "ok", "description": "x" * 20001}, "description", id="desc-20001"),
    pytest.param({"subject": "ok", "description": "\x00"}, "description", id="desc-nul"),
    pytest.param({"subject": "ok", "description": "\ud800"}, "description", id="desc-surrogate"),
    pytest.param({"subject": "ok", "description": {"$gt": ""}}, "description", id="desc-object"),
    pytest.param({"subject": "ok", "impact": "extreme"}, "impact", id="impact-unknown"),
    pytest.param({"subject": "ok", "impact": 3}, "impact", id="impact-number"),
    pytest.param({"subject": "ok", "impact": "\ud800"}, "impact", id="impact-surrogate"),
    pytest.param({"subject": "ok", "impact": "\x00"}, "impact", id="impact-nul"),
    pytest.param({"subject": "ok", "impact": ["high"]}, "impact", id="impact-list"),
    pytest.param({"subject": "ok", "urgency": "yesterday"}, "urgency", id="urgency-unknown"),
    pytest.param({"subject": "ok", "channel": "pigeon"}, "channel", id="channel-unknown"),
    pytest.param({"subject": "ok", "channel": "\udbff"}, "channel", id="channel-surrogate"),
    pytest.param({"subject": "ok", "priority": 9}, "priority", id="priority-unknown"),
    pytest.param({"subject": "ok", "priority": "urgent"}, "priority", id="priority-string"),
    pytest.param({"subject": "ok", "priority": BIG}, "priority", id="priority-huge"),
    pytest.param({"subject": "ok", "category": BIG}, "category", id="category-huge"),
    pytest.param({"subject": "ok", "category": -1}, "category", id="category-negative"),
    pytest.param({"subject": "ok", "category": "abc"}, "category", id="category-string"),
    pytest.param({"subject": "ok", "category": True}, "category", id="category-boolean"),
    pytest.param({"subject": "ok", "category": {"id": 1}}, "category", id="category-object"),
    pytest.param({"subject": "ok", "category": [1]}, "category", id="category-list"),
    pytest.param({"subject": "ok", "category": "\ud800"}, "category", id="category-surrogate"),
    pytest.param({"subject": "ok", "attachments": "a.txt"}, "attachments", id="attach-string"),
    pytest.param({"subject": "ok", "attachments": {"name": "a"}}, "attachments", id="attach-obj"),
    pytest.param(
        {"subject": "ok", "attachments": [{"name": "a", "size": -1}]},
        "attachments",
        id="attach-negative-size",
    ),
    pytest.param(
        {"subject": "ok", "attachments": [{"name": "a", "size": BIG}]},
        "attachments",
        id="attach-huge-size",
    ),
    pytest.param(
        {"subject": "ok", "attachments": [{"name": "a", "size": "big"}]},
        "attachments",
        id="attach-string-size",
    ),
    pytest.param(
        {"subject": "ok", "attachments": [{"name": "..", "size": 1}]},
        "attachments",
        id="attach-dotdot",
    ),
    pytest.param(
        {"subject": "ok", "attachments": [{"name": "../", "size": 1}]},
        "attachments",
        id="attach-only-dirs",
    ),
    pytest.param(
        {"subject": "ok", "attachments": [{"name": "a\x00.txt", "size": 1}]},
        "attachments",
        id="attach-nul",
    ),
    pytest.param(
        {"subject": "ok", "attachments": [{"name": "a", "size": 1}] * 21},
        "attachments",
        id="attach-21",
    ),
    pytest.param({"subject": "ok", "attachments": ["a.txt"]}, "attachments", id="attach-items"),
]


@pytest.mark.parametrize(("body", "field"), CREATE_CASES)
def test_create_names_the_bad_field(customer_client, body, field):
    assert_error(send(customer_client, REQUESTS, body), field, status=400, code="invalid")
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("value", [BIG, "1; DROP"])
def test_an_agent_naming_a_bad_customer_gets_a_400(desk, lead_client, value):
    response = send(lead_client, REQUESTS, {"subject": "ok", "customer": value})
    assert_error(response, "customer", status=400)


@pytest.mark.parametrize("value", [BIG, "1; DROP", 999_999, -1])
def test_a_customer_naming_any_other_customer_gets_a_403_without_probing(customer_client, value):
    # 403 whether or not the id exists, so customers cannot find out which ids do.
    response = send(customer_client, REQUESTS, {"subject": "ok", "customer": value})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not ServiceRequest.objects.exists()


def test_a_number_for_a_string_is_refused(customer_client):
    # The schema says string; DRF's CharField would store a number's text
    # (apps/api/strict_input.py).
    response = send(customer_client, REQUESTS, {"subject": 12345, "description": 1.5})
    assert_error(response, "subject", status=400)
    assert set(response.json()["error"]["fields"]) == {"subject", "description"}
    assert not ServiceRequest.objects.exists()


MESSAGE_CASES = [
    pytest.param({}, "body", id="body-missing"),
    pytest.param({"body": ""}, "body", id="body-empty"),
    pytest.param({"body": "   "}, "body", id="body-blank"),
    pytest.param({"body": "x" * 20001}, "body", id="body-20001"),
    pytest.param({"body": "a\x00"}, "body", id="body-nul"),
    pytest.param({"body": "a\ud800"}, "body", id="body-surrogate"),
    pytest.param({"body": {"text": "hi"}}, "body", id="body-object"),
    pytest.param({"body": ["hi"]}, "body", id="body-list"),
    pytest.param({"body": "hi", "internal": {}}, "internal", id="internal-object"),
    pytest.param({"body": "hi", "internal": []}, "internal", id="internal-list"),
    pytest.param({"body": "hi", "internal": "maybe"}, "internal", id="internal-string"),
    pytest.param({"body": "hi", "internal": 2}, "internal", id="internal-number"),
]


@pytest.mark.parametrize(("body", "field"), MESSAGE_CASES)
def test_messages_name_the_bad_field(customer_client, own_request, body, field):
    response = send(customer_client, url(own_request, "messages/"), body)
    assert_error(response, field, status=400)
    assert not Message.objects.exists()


@pytest.mark.parametrize(("body", "field"), MESSAGE_CASES)
def test_agent_messages_name_the_bad_field(desk, lead_client, body, field):
    request = desk.request_in(State.IN_PROGRESS)
    assert_error(send(lead_client, url(request, "messages/"), body), field, status=400)
    assert not Message.objects.exists()


TRANSITION_CASES = [
    pytest.param("assign", {"reason": "x" * 1001}, "reason", id="reason-1001"),
    pytest.param("assign", {"reason": "a\x00"}, "reason", id="reason-nul"),
    pytest.param("assign", {"reason": "\ud800"}, "reason", id="reason-surrogate"),
    pytest.param("assign", {"reason": {"why": 1}}, "reason", id="reason-object"),
    pytest.param("assign", {"version": "abc"}, "version", id="version-string"),
    pytest.param("assign", {"version": BIG}, "version", id="version-huge"),
    pytest.param("assign", {"version": -1}, "version", id="version-negative"),
    pytest.param("assign", {"version": 1.5}, "version", id="version-fraction"),
    pytest.param("assign", {"version": [1]}, "version", id="version-list"),
    pytest.param("assign", {"assignee": BIG}, "assignee", id="assignee-huge"),
    pytest.param("assign", {"assignee": -BIG}, "assignee", id="assignee-huge-negative"),
    pytest.param("assign", {"assignee": "me"}, "assignee", id="assignee-string"),
    pytest.param("assign", {"assignee": {"id": 1}}, "assignee", id="assignee-object"),
    pytest.param("assign", {"assignee": 999999999}, "assignee", id="assignee-unknown"),
    pytest.param("assign", {}, "assignee", id="assignee-missing"),
    pytest.param("transfer", {"department": BIG}, "department", id="department-huge"),
    pytest.param("transfer", {"department": "it"}, "department", id="department-string"),
    pytest.param("transfer", {"department": 999999999}, "department", id="department-unknown"),
    pytest.param("reprioritize", {"priority": "urgent"}, "priority", id="priority-string"),
    pytest.param("reprioritize", {"priority": 0}, "priority", id="priority-zero"),
    pytest.param("reprioritize", {"priority": BIG}, "priority", id="priority-huge"),
    pytest.param("reprioritize", {"priority": "\ud800"}, "priority", id="priority-surrogate"),
    pytest.param("reprioritize", {"priority": {}}, "priority", id="priority-object"),
    pytest.param("escalate", {"raise_priority": {}}, "raise_priority", id="raise-object"),
    pytest.param("escalate", {"raise_priority": []}, "raise_priority", id="raise-list"),
    pytest.param("escalate", {"raise_priority": "perhaps"}, "raise_priority", id="raise-str"),
    pytest.param("escalate", {"department": 1}, "department", id="data-not-taken"),
]


@pytest.mark.parametrize(("name", "body", "field"), TRANSITION_CASES)
def test_transitions_name_the_bad_field(desk, lead_client, name, body, field):
    request = desk.request_in(State.QUEUED)
    response = send(lead_client, url(request, f"transitions/{name}/"), body)
    assert_error(response, field, status=400)
    request.refresh_from_db()
    assert (request.state, request.version) == (State.QUEUED, 2)


@pytest.mark.parametrize("name", ["frobnicate", "save", "__init__", "_set_priority", "\x00"])
def test_an_unknown_transition_is_a_404_with_the_allowed_ones(desk, lead_client, name):
    request = desk.request_in(State.QUEUED)
    error = assert_error(
        send(lead_client, url(request, f"transitions/{name}/"), {}), status=404, code="not_found"
    )
    assert error["state"] == State.QUEUED
    assert "assign" in error["allowed"]


FEEDBACK_CASES = [
    pytest.param({}, "rating", id="rating-missing"),
    pytest.param({"rating": "five"}, "rating", id="rating-string"),
    pytest.param({"rating": 0}, "rating", id="rating-0"),
    pytest.param({"rating": 6}, "rating", id="rating-6"),
    pytest.param({"rating": -1}, "rating", id="rating-negative"),
    pytest.param({"rating": 4.5}, "rating", id="rating-fraction"),
    pytest.param({"rating": BIG}, "rating", id="rating-huge"),
    pytest.param({"rating": True}, "rating", id="rating-boolean"),
    pytest.param({"rating": {"value": 5}}, "rating", id="rating-object"),
    pytest.param({"rating": "1" * 5000}, "rating", id="rating-5000-digit-string"),
    pytest.param({"rating": 5, "comment": "x" * 2001}, "comment", id="comment-2001"),
    pytest.param({"rating": 5, "comment": "\x00"}, "comment", id="comment-nul"),
    pytest.param({"rating": 5, "comment": "\ud800"}, "comment", id="comment-surrogate"),
]


@pytest.mark.parametrize(("body", "field"), FEEDBACK_CASES)
def test_feedback_names_the_bad_field(desk, customer_client, body, field):
    request = desk.request_in(State.RESOLVED)
    assert_error(send(customer_client, url(request, "feedback/"), body), field, status=400)
    assert not Feedback.objects.exists()


TOKEN_CASES = [
    pytest.param({}, "username", id="missing"),
    pytest.param({"username": {"$ne": ""}, "password": "x"}, "username", id="username-object"),
    pytest.param({"username": "carol\x00", "password": "x"}, "username", id="username-nul"),
    pytest.param({"username": "\ud800", "password": "x"}, "username", id="username-surrogate"),
    pytest.param({"username": "carol", "password": ["x"]}, "password", id="password-list"),
    pytest.param({"username": "x" * 100_000, "password": "x"}, None, id="username-100k"),
]


@pytest.mark.parametrize(("body", "field"), TOKEN_CASES)
def test_sign_in_refuses_bad_credentials_shapes(anon_client, customer, body, field):
    fields = (field,) if field else ()
    assert_error(send(anon_client, TOKEN, body), *fields, status=400)


# --- query strings -----------------------------------------------------------------------------

LIST_QUERY_CASES = [
    pytest.param({"page": "abc"}, 404, None, id="page-string"),
    pytest.param({"page": "-1"}, 404, None, id="page-negative"),
    pytest.param({"page": "0"}, 404, None, id="page-zero"),
    pytest.param({"page": str(10**30)}, 404, None, id="page-huge"),
    pytest.param({"page": "1e3"}, 404, None, id="page-exponent"),
    pytest.param({"state": "sleeping"}, 400, "state", id="state-unknown"),
    pytest.param({"state": "\x00"}, 400, "state", id="state-nul"),
    pytest.param({"priority": "9"}, 400, "priority", id="priority-unknown"),
    pytest.param({"priority": "high"}, 400, "priority", id="priority-string"),
    pytest.param({"priority": str(BIG)}, 400, "priority", id="priority-huge"),
    pytest.param({"ordering": "password"}, 400, "ordering", id="ordering-unknown"),
    pytest.param({"ordering": "customer__user__password"}, 400, "ordering", id="ordering-join"),
    pytest.param({"created_after": "yesterday"}, 400, "created_after", id="date-words"),
    pytest.param({"created_after": "99999-01-01"}, 400, "created_after", id="date-year-99999"),
    pytest.param({"created_before": "2026-13-45T99:99"}, 400, "created_before", id="date-bad"),
    pytest.param({"created_after": "9999-12-31T23:59:59-23:59"}, 400, "created_after", id="y10k"),
    pytest.param({"created_before": "0001-01-01T00:00:00+23:59"}, 400, "created_before", id="y0"),
    pytest.param({"q": "x" * 201}, 400, "q", id="q-201"),
    pytest.param({"q": "a\x00b"}, 400, "q", id="q-nul"),
]


@pytest.mark.parametrize(("params", "status", "field"), LIST_QUERY_CASES)
def test_list_query_errors(customer_client, own_request, params, status, field):
    fields = (field,) if field else ()
    assert_error(customer_client.get(REQUESTS, params), *fields, status=status)


QUEUE_QUERY_CASES = [
    *LIST_QUERY_CASES,
    pytest.param({"department": str(BIG)}, 400, "department", id="department-huge"),
    pytest.param({"department": "-1"}, 400, "department", id="department-negative"),
    pytest.param({"department": "it"}, 400, "department", id="department-string"),
    pytest.param({"assignee": "\x00"}, 400, "assignee", id="assignee-nul"),
]


@pytest.mark.parametrize(("params", "status", "field"), QUEUE_QUERY_CASES)
def test_queue_query_errors(desk, lead_client, params, status, field):
    desk.request_in(State.QUEUED)
    fields = (field,) if field else ()
    assert_error(lead_client.get(QUEUE, params), *fields, status=status)


@pytest.mark.parametrize(
    "params",
    [
        {"assignee": str(BIG)},
        {"assignee": "-1"},
        {"assignee": "abc"},
        {"assignee": "1e3"},
        {"assignee": "٣"},  # an Arabic-Indic digit: str.isdigit() says yes, ids say no
        {"q": "SR-" + "9" * 30},
        {"q": "'; DROP TABLE tickets_servicerequest; --"},
        {"q": "%' OR '1'='1"},
        {"created_before": "2020-01-01T00:00:00+23:59"},
        {"created_after": "9999-12-31T09:00:00-14:59"},
    ],
    ids=lambda p: "-".join(f"{k}={v!r}"[:40] for k, v in p.items()),
)
def test_queue_filters_that_match_nothing(desk, lead_client, params):
    desk.request_in(State.QUEUED)
    response = lead_client.get(QUEUE, params)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["results"] == []
    assert ServiceRequest.objects.count() == 1


@pytest.mark.parametrize("params", [{"page_size": "-5"}])
def test_queue_ignores_meaningless_values(desk, lead_client, params):
    desk.request_in(State.QUEUED)
    response = lead_client.get(QUEUE, params)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["count"] == 1


# A page size that is not a whole number (`abc`) is refused:
# tests/api/test_schema_states_input_rules.py
@pytest.mark.parametrize("page_size", ["-5", "0", ""])
def test_a_bad_page_size_falls_back_to_the_default(customer, customer_client, page_size):
    for n in range(26):
        submit(customer, subject=f"Request {n}")
    response = customer_client.get(REQUESTS, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 25


def test_a_huge_page_size_is_clamped_to_100(customer, customer_client):
    for n in range(101):
        submit(customer, subject=f"Request {n}")
    response = customer_client.get(REQUESTS, {"page_size": str(10**9)})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
    assert response.json()["count"] == 101


# --- paths, methods, content types, sizes, headers ---------------------------------------------

BAD_REFERENCES = [
    "SR-abc",
    "SR-" + "1" * 30,
    "SR-" + "9" * 18,
    "SR-9223372036854775808",
    "SR--1",
    "SR-",
    "%00",
    "SR-1%00",
    "%2e%2e",
    "SR-1'%20OR%20'1'='1",
    "%F0%9F%98%80",
    "%ED%A0%80",
]


def test_a_reference_with_encoded_slashes_is_404(customer_client, own_request):
    # No URL matches, so Django's own (HTML) 404 answers, not the API's error shape.
    response = customer_client.get(f"{REQUESTS}..%2f..%2fadmin/")
    assert response.status_code == 404


@pytest.mark.parametrize("ref", BAD_REFERENCES)
@pytest.mark.parametrize(
    ("method", "tail"),
    [
        ("get", ""),
        ("get", "messages/"),
        ("post", "messages/"),
        ("post", "transitions/cancel/"),
        ("get", "feedback/"),
        ("post", "feedback/"),
    ],
)
def test_bad_references_are_404(customer_client, own_request, ref, method, tail):
    body = {"body": "hi", "rating": 5}
    response = send(customer_client, f"{REQUESTS}{ref}/{tail}", body, method=method)
    assert_error(response, status=404, code="not_found")
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", REQUESTS),
        ("delete", REQUESTS),
        ("patch", "{ref}"),
        ("put", "{ref}"),
        ("delete", "{ref}"),
        ("post", "{ref}"),
        ("delete", "{ref}messages/"),
        ("get", "{ref}transitions/cancel/"),
        ("put", "{ref}feedback/"),
        ("delete", "/api/v1/me/"),
        ("post", "/api/v1/me/"),
        ("get", TOKEN),
    ],
)
def test_wrong_methods_are_405(customer_client, own_request, method, path):
    path = path.format(ref=url(own_request))
    response = send(customer_client, path, {"subject": "x"}, method=method)
    assert_error(response, status=405, code="method_not_allowed")


def test_wrong_method_on_the_queue_is_405(lead_client):
    assert_error(lead_client.post(QUEUE, {}, format="json"), status=405)


NOT_JSON = ["text/plain", "application/xml", "application/json-patch+json", "image/png"]
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data; boundary=xyz"
UPLOADS = (REQUESTS, "{ref}messages/")  # these also take files (multipart/form-data)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        *((path, ct) for path in UPLOADS for ct in [*NOT_JSON, URLENCODED]),
        *(("{ref}transitions/cancel/", ct) for ct in [*NOT_JSON, URLENCODED, MULTIPART]),
        *((TOKEN, ct) for ct in NOT_JSON),  # the token endpoint also takes forms, as curl -d
    ],
)
def test_unsupported_content_types_are_415(customer_client, own_request, path, content_type):
    path = path.format(ref=url(own_request))
    response = customer_client.post(path, data=b'{"subject": "x"}', content_type=content_type)
    assert_error(response, status=415, code="unsupported_media_type")
    assert ServiceRequest.objects.count() == 1


@pytest.mark.parametrize("path", UPLOADS)
def test_a_malformed_multipart_body_is_400(customer_client, own_request, path):
    path = path.format(ref=url(own_request))
    response = customer_client.post(path, data=b'{"subject": "x"}', content_type=MULTIPART)
    assert response.status_code == 400, response.content
    assert ServiceRequest.objects.count() == 1


@pytest.mark.parametrize(
    "path", [REQUESTS, "{ref}messages/", "{ref}transitions/cancel/", "{ref}feedback/", TOKEN]
)
def test_a_body_over_one_mebibyte_is_refused(customer_client, own_request, path, settings):
    path = path.format(ref=url(own_request))
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body = {"subject": "Big", "body": "Big", "rating": 5, "padding": padding}
    response = send(customer_client, path, body)
    assert_error(response)
    assert response.status_code in (400, 413)
    assert ServiceRequest.objects.count() == 1
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("key", "status"),
    [("k" * 256, 400), ("   ", 400), ("a\x00b", 400)],
    ids=["256-chars", "blank", "nul"],
)
def test_bad_idempotency_keys_are_refused(customer_client, key, status):
    response = send(customer_client, REQUESTS, {"subject": "ok"}, HTTP_IDEMPOTENCY_KEY=key)
    assert_error(response, "Idempotency-Key", status=status)
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    "authorization",
    [
        "Token ",
        "Token",
        "Token a b",
        "Token \x00",
        "Token " + "a" * 10_000,
        "Token ' OR '1'='1",
        "Bearer abc",
        "Basic Y2Fyb2w6eA==",
        "Token é",
    ],
)
@pytest.mark.parametrize("path", [REQUESTS, QUEUE, "/api/v1/me/"])
def test_bad_authorization_headers_are_401(anon_client, path, authorization):
    response = anon_client.get(path, HTTP_AUTHORIZATION=authorization)
    assert_error(response, status=401)


# --- text that must be stored exactly ----------------------------------------------------------

EXACT_TEXTS = [
    pytest.param("Imprimante 🖨️ en panne 👩‍💻🏳️‍🌈", id="emoji"),
    pytest.param("打印机坏了,请帮忙。プリンターが壊れました", id="cjk"),
    pytest.param("الطابعة لا تعمل \u202eevil\u202c שלום", id="rtl-and-override"),
    pytest.param("e\u0301 \u200b zero width, combining", id="combining"),
    pytest.param("Robert'); DROP TABLE tickets_servicerequest;--", id="sql"),
    pytest.param("1' OR '1'='1' --", id="sql-tautology"),
    pytest.param('<script>alert("x")</script><img src=x onerror=alert(1)>', id="html"),
    pytest.param("{{ 7*7 }} ${7*7} %s %(x)s \\ \\\\ \" '", id="templates-and-escapes"),
    pytest.param("tab\tnew\nline\r\nbell\x07", id="control-characters"),
]


@pytest.mark.parametrize("text", EXACT_TEXTS)
def test_text_is_stored_and_returned_exactly(customer, customer_client, text):
    subject = text[:200]
    created = send(customer_client, REQUESTS, {"subject": subject, "description": text})
    assert created.status_code == 201, created.content[:300]
    reference = created.json()["reference"]
    stored = ServiceRequest.objects.get(customer=customer)
    assert (stored.subject, stored.description) == (subject, text)

    detail = customer_client.get(f"{REQUESTS}{reference}/").json()
    assert (detail["subject"], detail["description"]) == (subject, text)
    listed = customer_client.get(REQUESTS).json()["results"]
    assert [r["subject"] for r in listed] == [subject]

    posted = send(customer_client, f"{REQUESTS}{reference}/messages/", {"body": text})
    assert posted.status_code == 201, posted.content[:300]
    assert posted.json()["body"] == text
    thread = customer_client.get(f"{REQUESTS}{reference}/messages/").json()["results"]
    assert [m["body"] for m in thread] == [text]
    assert Message.objects.get().body == text


def test_sql_in_text_has_no_effect(customer, customer_client):
    submit(customer, subject="Innocent bystander")
    body = {"subject": "x'); DELETE FROM tickets_servicerequest; --", "description": "'; --"}
    assert send(customer_client, REQUESTS, body).status_code == 201
    assert ServiceRequest.objects.count() == 2
    found = customer_client.get(REQUESTS, {"q": "'); DELETE"}).json()["results"]
    assert [r["subject"] for r in found] == [body["subject"]]
    found = customer_client.get(REQUESTS, {"q": "%' OR '1'='1"}).json()["results"]
    assert found == []
    with connection.cursor() as cursor:  # the table is still there and whole
        cursor.execute(f"SELECT count(*) FROM {ServiceRequest._meta.db_table}")
        assert cursor.fetchone() == (2,)


def test_like_wildcards_in_search_are_literal(customer, customer_client):
    submit(customer, subject="Disk 100% full")
    submit(customer, subject="Disk almost full")
    assert [
        r["subject"] for r in customer_client.get(REQUESTS, {"q": "100%"}).json()["results"]
    ] == ["Disk 100% full"]
    assert customer_client.get(REQUESTS, {"q": "_"}).json()["results"] == []


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("/etc/shadow", "shadow"),
        ("C:\\Windows\\System32\\drivers\\etc\\hosts", "hosts"),
        ("./../.././report.pdf", "report.pdf"),
        ("  spaced.txt  ", "spaced.txt"),
        ("скан 📎.pdf", "скан 📎.pdf"),
    ],
)
def test_attachment_names_lose_their_directories(customer_client, name, stored):
    body = {"subject": "Files", "attachments": [{"name": name, "size": 10}]}
    response = send(customer_client, REQUESTS, body)
    assert response.status_code == 201, response.content[:300]
    assert [a["name"] for a in response.json()["declared_attachments"]] == [stored]
    assert ServiceRequest.objects.get().declared_attachments[0]["name"] == stored


def test_unknown_fields_in_attachments_are_refused_and_nothing_stored(customer_client):
    attachment = {"name": "a.txt", "size": 1, "path": "/etc/passwd", "url": "file:///etc"}
    response = send(customer_client, REQUESTS, {"subject": "x", "attachments": [attachment]})
    assert response.status_code == 400
    assert "attachments" in response.json()["error"]["fields"]
    assert not ServiceRequest.objects.exists()


def test_a_customer_cannot_set_the_priority(customer_client):
    response = send(customer_client, REQUESTS, {"subject": "Now!", "priority": 1})
    assert_error(response, status=403, code="forbidden")
    assert not ServiceRequest.objects.exists()


def test_an_agent_with_a_huge_assignee_filter_and_body(desk, lead_client):
    """The issue's example: 2**76 as a filter value and in a transition body."""
    request = desk.request_in(State.QUEUED)
    listed = lead_client.get(QUEUE, {"assignee": "99999999999999999999999"})
    assert (listed.status_code, listed.json()["results"]) == (200, [])
    body = {"assignee": 99999999999999999999999, "version": request.version}
    response = send(lead_client, url(request, "transitions/assign/"), body)
    assert_error(response, "assignee", status=400, code="invalid")


def test_a_user_id_of_another_agent_is_not_an_assignee(desk, lead_client):
    stranger = AgentFactory(departments=[desk.other_department])
    request = desk.request_in(State.QUEUED)
    response = send(lead_client, url(request, "transitions/assign/"), {"assignee": stranger.pk})
    assert_error(response, "assignee", status=400)


@pytest.mark.parametrize("path", [REQUESTS, "/api/v1/me/", "/api/schema/", "/admin/"])
@pytest.mark.parametrize(
    "cookie", ["abc\x00defghij", "'; DROP TABLE django_session; --", "x" * 5000]
)
def test_a_forged_session_cookie_is_no_session(anon_client, path, cookie):
    anon_client.cookies["sessionid"] = cookie
    response = anon_client.get(path)
    assert response.status_code < 500
    if path.startswith("/api/v1/"):
        assert_error(response, status=401, code="not_authenticated")


# --- bytes that are not UTF-8, and HTML shown to agents ----------------------------------------

INVALID_UTF8 = [
    pytest.param(b'{"subject": "caf\xe9"}', id="latin-1-byte"),
    pytest.param(b'{"subject": "\xff\xfe"}', id="ff-fe"),
    pytest.param(b'{"subject": "\xc3"}', id="truncated-sequence"),
    pytest.param(b'{"subject": "\xed\xa0\x80"}', id="encoded-surrogate"),
    pytest.param(b'{"subject": "\xc0\xaf"}', id="overlong-slash"),
    pytest.param(b"\xff\xfe{\x00}\x00", id="utf-16-bom"),
]


@pytest.mark.parametrize("raw", INVALID_UTF8)
@pytest.mark.parametrize("tail", ["", "messages/"])
def test_bodies_that_are_not_utf8_are_a_400(customer_client, own_request, raw, tail):
    path = REQUESTS if not tail else url(own_request, tail)
    response = customer_client.generic("POST", path, raw, content_type="application/json")
    assert_error(response, status=400)
    assert ServiceRequest.objects.count() == 1 and not Message.objects.exists()


def test_query_strings_that_are_not_utf8_are_harmless(customer_client, own_request):
    response = customer_client.get(REQUESTS, QUERY_STRING="q=%ff%fe&state=%c3")
    assert response.status_code in (200, 400), response.content[:300]


HTML = '<script>alert("zq9x")</script><img src=x onerror=alert(1)>'


def test_html_in_text_is_shown_escaped_in_the_admin(client, customer, desk):
    request = desk.request_in(State.IN_PROGRESS)
    from apps.accounts.actors import actor_for_user
    from apps.tickets import services

    services.do_post_message(request, actor=actor_for_user(customer.user), body=HTML)
    ServiceRequest.objects.filter(pk=request.pk).update(subject=HTML, description=HTML)
    client.force_login(
        AgentFactory(
            departments=[desk.department], user__is_staff=True, user__is_superuser=True
        ).user
    )
    for path in (
        "/admin/tickets/servicerequest/",
        f"/admin/tickets/servicerequest/{request.pk}/change/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert "<script>alert(" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;alert(" in page, path
