"""API tokens are stored as digests only, expire, can be revoked by their holder, and the
plain-text tokens of before keep working once converted (apps/api/tokens.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.api import authentication
from apps.api.tokens import convert_plain_tokens

pytestmark = pytest.mark.django_db
LIST = "/api/v1/requests/"
SIGN_IN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _nothing_remembered():
    authentication._recent.clear()
    yield
    authentication._recent.clear()


def signed_in(customer) -> tuple[APIClient, str]:
    customer.user.set_password("pw-for-tokens-1")
    customer.user.save()
    response = APIClient().post(
        SIGN_IN, {"username": customer.user.username, "password": "pw-for-tokens-1"}
    )
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client, response.json()["token"]


def test_the_database_holds_a_digest_not_the_token(customer):
    client, token = signed_in(customer)
    row = AuthToken.objects.get(user=customer.user)
    assert token not in (row.digest, row.token_key) and len(token) == 64
    assert row.digest == hash_token(token)
    assert row.expiry > timezone.now() + timedelta(days=6)
    assert client.get(LIST).status_code == 200


def test_an_expired_token_is_refused_and_deleted(customer):
    client, _ = signed_in(customer)
    AuthToken.objects.filter(user=customer.user).update(expiry=timezone.now() - timedelta(1))
    assert client.get(LIST).status_code == 401
    assert not AuthToken.objects.filter(user=customer.user).exists()


def test_use_moves_the_expiry_on_but_not_past_the_maximum_age(customer, settings):
    client, _ = signed_in(customer)
    soon = timezone.now() + timedelta(hours=2)
    AuthToken.objects.filter(user=customer.user).update(expiry=soon)
    assert client.get(LIST).status_code == 200
    assert AuthToken.objects.get(user=customer.user).expiry > soon + timedelta(days=6)

    authentication._recent.clear()
    old = timezone.now() - timedelta(days=89, hours=23)
    AuthToken.objects.filter(user=customer.user).update(created=old, expiry=soon)
    assert client.get(LIST).status_code == 200
    # Renewal would pass the maximum age (90 days since issue): the expiry is not moved on.
    assert AuthToken.objects.get(user=customer.user).expiry == soon


def test_sign_out_revokes_this_token_only(customer):
    first, _ = signed_in(customer)
    second, _ = signed_in(customer)
    assert first.post("/api/v1/auth/sign-out/").status_code == 204
    assert first.get(LIST).status_code == 401
    assert second.get(LIST).status_code == 200


def test_sign_out_everywhere_revokes_every_token(customer):
    first, _ = signed_in(customer)
    second, _ = signed_in(customer)
    assert second.get(LIST).status_code == 200  # remembered by this process
    assert first.post("/api/v1/auth/sign-out-everywhere/").status_code == 204
    assert first.get(LIST).status_code == 401
    assert second.get(LIST).status_code == 401


@pytest.mark.parametrize("header", ["Token \x00abc", "Token zz-not-hex", "Token " + "é" * 10])
def test_malformed_tokens_are_refused_without_an_error(customer, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(LIST).status_code == 401


def test_plain_text_tokens_of_before_keep_working_once_converted(customer):
    plain = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [plain, timezone.now(), customer.user.pk],
        )
    assert convert_plain_tokens(AuthToken, timezone.now()) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    assert not AuthToken.objects.filter(digest=plain).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    assert client.get(LIST).status_code == 200
