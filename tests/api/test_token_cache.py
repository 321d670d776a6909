"""Each process remembers a token it looked up for a few seconds; revoking the token or
deactivating its user in this process takes effect on the next call."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS

from apps.api import authentication
from tests.support.api import client_for

pytestmark = pytest.mark.django_db
LIST = "/api/v1/requests/"


@pytest.fixture
def remembering(settings):
    settings.SERVICEDESK_TOKEN_CACHE_SECONDS = 10
    authentication._recent.clear()
    yield
    authentication._recent.clear()


def token_lookups(client) -> tuple[int, int]:
    """(status, queries on the token table) of one list call."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(LIST).status_code
    return status, sum('"knox_authtoken"' in q["sql"] for q in queries.captured_queries)


def test_a_second_call_does_not_look_the_token_up(customer, remembering):
    client = client_for(customer.user)
    assert token_lookups(client) == (200, 1)
    assert token_lookups(client) == (200, 0)


def test_without_remembering_every_call_looks_it_up(customer, settings):
    settings.SERVICEDESK_TOKEN_CACHE_SECONDS = 0
    client = client_for(customer.user)
    assert token_lookups(client) == (200, 1)
    assert token_lookups(client) == (200, 1)


def test_a_deleted_token_is_refused_at_once(customer, remembering):
    client = client_for(customer.user)
    assert client.get(LIST).status_code == 200
    AuthToken.objects.filter(user=customer.user).delete()  # a queryset delete sends post_delete
    assert client.get(LIST).status_code == 401


def test_a_deactivated_user_is_refused_at_once(customer, remembering):
    client = client_for(customer.user)
    assert client.get(LIST).status_code == 200
    customer.user.is_active = False
    customer.user.save()
    assert client.get(LIST).status_code == 401


def test_an_unknown_token_is_not_remembered(customer, remembering):
    client = client_for(customer.user)
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert client.get(LIST).status_code == 401
    AuthToken.objects.filter(user=customer.user).update(
        digest=hash_token("0" * 64), token_key="0" * CONSTANTS.TOKEN_KEY_LENGTH
    )
    assert client.get(LIST).status_code == 200


def remembered_elsewhere(digest: str):
    """What another web process remembers of the token: its entry from before a change."""
    return authentication._recent.get(digest)


@pytest.mark.parametrize("change", ["deactivate", "delete-token"])
def test_a_change_in_another_process_is_refused_at_once_there(customer, remembering, change):
    client = client_for(customer.user)
    digest = AuthToken.objects.get(user=customer.user).digest
    assert client.get(LIST).status_code == 200
    stale = remembered_elsewhere(digest)
    if change == "deactivate":
        customer.user.is_active = False
        customer.user.save()
    else:
        AuthToken.objects.filter(digest=digest).delete()
    # The other process still holds its entry; the stamp in the shared cache overrules it.
    authentication._recent.set(digest, stale, 10)
    assert client.get(LIST).status_code == 401
