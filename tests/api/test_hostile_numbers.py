"""JSON numbers beyond a float (1e400 is infinity to Python's decoder) are a 400 on every
endpoint, refused once by the parser, never a 500 from a field that overflows."""

import pytest

from apps.lifecycle.states import State
from apps.tickets.models import ServiceRequest
from tests.api.test_hostile_input import assert_error, send
from tests.support.api import client_for, url

pytestmark = pytest.mark.django_db

NOT_FINITE = ["1e400", "-1e400", "1E999", "-0.1e99999"]


def raw(**fields: str) -> str:
    """A JSON object whose values are written verbatim (numbers json.dumps cannot write)."""
    return "{" + ", ".join(f'"{name}": {text}' for name, text in fields.items()) + "}"


@pytest.mark.parametrize("number", NOT_FINITE)
@pytest.mark.parametrize("field", ["category", "customer", "priority", "subject"])
def test_a_customer_creating_with_an_infinite_number_gets_a_400(customer_client, field, number):
    text = raw(**{"subject": '"x"', field: number})
    assert_error(send(customer_client, "/api/v1/requests/", text), status=400, code="malformed")
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("number", NOT_FINITE[:2])
def test_an_agent_naming_an_infinite_customer_gets_a_400(desk, lead_client, number):
    text = raw(subject='"x"', customer=number)
    assert_error(send(lead_client, "/api/v1/requests/", text), status=400, code="malformed")


@pytest.mark.parametrize("number", NOT_FINITE[:2])
def test_a_handoff_to_an_infinite_department_gets_a_400(desk, lead_client, number):
    request = desk.request_in(State.IN_PROGRESS)
    text = raw(kind='"transfer"', to_department=number, note='"x"')
    assert_error(send(lead_client, url(request, "handoffs/"), text), status=400, code="malformed")


@pytest.mark.parametrize("number", NOT_FINITE[:2])
@pytest.mark.parametrize("field", ["quality_alert", "requests"])
def test_a_problem_naming_an_infinite_id_gets_a_400(desk, field, number):
    desk.lead.user.is_staff = True
    desk.lead.user.save(update_fields=["is_staff"])
    value = f"[{number}]" if field == "requests" else number
    text = raw(**{"title": '"Slow"', field: value})
    response = send(client_for(desk.lead.user), "/api/v1/improvement/problems/", text)
    assert_error(response, status=400, code="malformed")


@pytest.mark.parametrize("number", NOT_FINITE[:2])
def test_a_transition_with_an_infinite_version_gets_a_400(desk, lead_client, number):
    request = desk.request_in(State.IN_PROGRESS)
    text = raw(version=number)
    response = send(lead_client, url(request, "transitions/resolve/"), text)
    assert_error(response, status=400, code="malformed")


def test_large_finite_numbers_still_parse(customer_client):
    # Only numbers a float cannot hold are refused; a big float is still a number.
    response = send(customer_client, "/api/v1/requests/", '{"subject": 1.5e300}')
    # Parsed (not "malformed"), then refused as a number where the schema says text.
    assert_error(response, "subject", status=400, code="invalid")
