"""The schema states what the code enforces on input, and the code refuses what the schema calls
invalid (the findings of schemathesis's data acceptance checks, one test per kind)."""

import pytest
from rest_framework.test import APIClient

from apps.lifecycle.states import State
from tests.factories import submit
from tests.support.api import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    return response.json()


def request_body_objects(schema):
    """Every object schema a request body takes, nested ones too."""
    components = schema["components"]["schemas"]
    found, todo = [], []
    for operations in schema["paths"].values():
        for operation in operations.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                todo.append(media["schema"])
    seen = set()
    while todo:
        item = todo.pop()
        if "$ref" in item:
            name = item["$ref"].rsplit("/", 1)[-1]
            if name in seen:
                continue
            seen.add(name)
            item = components[name]
        if "properties" in item:
            found.append(item)
            todo.extend(item["properties"].values())
        if isinstance(item.get("items"), dict):
            todo.append(item["items"])
    return found


def test_every_request_body_refuses_unknown_properties_in_the_schema(schema):
    bodies = request_body_objects(schema)
    assert len(bodies) > 15
    assert all(body["additionalProperties"] is False for body in bodies)


def test_an_optional_query_parameter_may_be_empty_as_the_filters_read_it(schema, desk):
    query = [
        parameter
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]
    single = [p for p in query if not p.get("required") and p["schema"].get("type") != "array"]
    assert single
    assert all(parameter["allowEmptyValue"] for parameter in single)
    assert not any("allowEmptyValue" in parameter for parameter in query if parameter not in single)
    client = client_for(desk.lead.user)
    assert client.get("/api/v1/queue/", {"created_after": "", "department": ""}).status_code == 200
    assert client.get("/api/v1/queue/", {"state": ""}).status_code == 400


def test_a_form_body_offers_no_null(schema):
    create = schema["paths"]["/api/v1/requests/"]["post"]["requestBody"]["content"]
    form = create["multipart/form-data"]["schema"]["properties"]
    assert not any("nullable" in field or "oneOf" in field for field in form.values())
    assert create["application/json"]["schema"]["$ref"].endswith("/RequestCreateRequest")


def test_the_schema_states_the_idempotency_key_and_the_server_holds_to_it(schema, customer):
    create = schema["paths"]["/api/v1/requests/"]["post"]
    key = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert key["schema"]["pattern"] == "^[!-~]{1,255}$"
    client = client_for(customer.user)
    for bad in ("two words", "x" * 256, "é"):
        response = client.post(
            "/api/v1/requests/", {"subject": "Printer"}, format="json", HTTP_IDEMPOTENCY_KEY=bad
        )
        assert response.status_code == 400, bad
    good = client.post(
        "/api/v1/requests/", {"subject": "Printer"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 255
    )
    assert good.status_code == 201


def test_ids_in_filters_are_stated_and_an_unknown_one_filters_to_nothing(schema, desk):
    handoffs = schema["paths"]["/api/v1/handoffs/"]["get"]["parameters"]
    to_department = next(p for p in handoffs if p["name"] == "to_department")
    assert to_department["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    client = client_for(desk.lead.user)
    assert client.get("/api/v1/handoffs/", {"to_department": 999999}).json()["count"] == 0
    assert client.get("/api/v1/handoffs/", {"to_department": 0}).status_code == 400
    assert client.get("/api/v1/queue/", {"department": 0}).status_code == 400


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/queue/", "unassigned"),
        ("/api/v1/handoffs/", "bounced"),
        ("/api/v1/notifications/", "unread"),
    ],
)
def test_a_boolean_filter_takes_true_or_false_only(desk, path, name):
    client = client_for(desk.lead.user)
    for bad in ("2", "0.5", "null", "yes"):
        assert client.get(path, {name: bad}).status_code == 400, bad
    for good in ("true", "false", ""):
        assert client.get(path, {name: good}).status_code == 200, good


def test_a_page_size_that_is_not_a_whole_number_is_refused(customer):
    client = client_for(customer.user)
    assert client.get("/api/v1/requests/", {"page_size": "0.5"}).status_code == 400
    assert client.get("/api/v1/requests/", {"page_size": "true"}).status_code == 400
    assert client.get("/api/v1/requests/", {"page_size": "5"}).status_code == 200
    assert client.get("/api/v1/requests/", {"page_size": ""}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"body": 0},
        {"body": "hello", "internal": 0},
        {"body": "hello", "internal": "true"},
        {"body": ["hello"]},
    ],
)
def test_a_json_value_of_another_type_than_the_schema_says_is_refused(customer, body):
    request = submit(customer)
    response = client_for(customer.user).post(
        f"/api/v1/requests/{request.reference}/messages/", body, format="json"
    )
    assert response.status_code == 400
    assert not request.messages.exists()


def test_a_choice_is_its_own_json_type(desk):
    request = desk.request_in(State.IN_PROGRESS)
    client = client_for(desk.lead.user)
    path = f"/api/v1/requests/{request.reference}/transitions/reprioritize/"
    refused = client.post(path, {"priority": str(request.priority)}, format="json")
    assert refused.status_code == 400
    assert "priority" in refused.json()["error"]["fields"]
    created = client_for(desk.customer.user).post(
        "/api/v1/requests/", {"subject": "Printer", "impact": 3}, format="json"
    )
    assert created.status_code == 400


def test_a_form_body_takes_true_or_false_and_digits(customer):
    request = submit(customer)
    client = client_for(customer.user)
    path = f"/api/v1/requests/{request.reference}/messages/"
    assert client.post(path, {"body": "hello", "internal": "0"}).status_code == 400
    assert client.post(path, {"body": "hello", "internal": "false"}).status_code == 201


def test_options_on_sign_out_describes_it(customer):
    response = client_for(customer.user).options("/api/v1/auth/sign-out/")
    assert response.status_code == 200


def test_an_empty_preferences_patch_changes_nothing(customer):
    client = client_for(customer.user)
    before = client.get("/api/v1/notifications/preferences/").json()
    response = client.patch("/api/v1/notifications/preferences/", {}, format="json")
    assert response.status_code == 200
    assert response.json() == before


def test_the_schema_states_if_match_and_the_server_holds_to_it(schema, desk):
    merge = schema["paths"]["/api/v1/requests/{ref}/merge/"]["post"]
    if_match = next(p for p in merge["parameters"] if p["name"] == "If-Match")
    assert if_match["schema"]["pattern"] == r'^(?:W/)?"([0-9]{1,18})"$'
    assert "412" in merge["responses"]
    request = desk.request_in(State.ASSIGNED)
    client = client_for(desk.lead.user)
    path = f"/api/v1/requests/{request.reference}/transitions/start/"
    for bad in (str(request.version), f'"{request.version}', '""5""'):
        assert client.post(path, {}, format="json", HTTP_IF_MATCH=bad).status_code == 400, bad
    weak = client.post(path, {}, format="json", HTTP_IF_MATCH=f'W/"{request.version}"')
    assert weak.status_code == 200, weak.content
