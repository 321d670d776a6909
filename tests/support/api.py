"""API test fixtures: signed-in clients for customers and agents, and a small desk."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.api.tokens import do_issue_token
from tests.paths import Desk


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    """A client authenticated with the user's API token, as an integration would be."""
    client = APIClient()
    _row, token = do_issue_token(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def desk(customer):
    """Department with lead and second agent, another department, and `customer`."""
    return Desk(customer)


@pytest.fixture
def customer_client(customer):
    return client_for(customer.user)


@pytest.fixture
def lead_client(desk):
    return client_for(desk.lead.user)


@pytest.fixture
def staff_lead(desk):
    """The desk's lead with staff status, as the cross-department reports need."""
    user = desk.lead.user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def anon_client():
    return APIClient()


def url(request, tail: str = "") -> str:
    """The API URL of a request (by reference) with an optional tail such as `messages/`."""
    return f"/api/v1/requests/{request.reference}/{tail}"
