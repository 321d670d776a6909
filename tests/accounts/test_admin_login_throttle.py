"""The admin's login form stops taking guesses: after the limit of failures for a login (or from
an address), even the right password is refused with a 429 until the lockout ends."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _no_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    return UserFactory(username="ada", is_staff=True, is_superuser=True)


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_guessing_a_password_is_stopped_and_the_right_one_then_refused(client, staff, settings):
    for _ in range(settings.SERVICEDESK_ADMIN_LOGIN_FAILURES):
        assert sign_in(client, "ada", "wrong").status_code == 200  # the form, with its error
    response = sign_in(client, "ada", "secret-pass-123")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.SERVICEDESK_ADMIN_LOGIN_LOCKOUT_MINUTES * 60
    assert "_auth_user_id" not in client.session
    # Another address does not unlock the login.
    assert sign_in(client, "ADA ", "secret-pass-123", address="10.0.0.2").status_code == 429


def test_one_address_guessing_many_logins_is_stopped(client, staff, settings):
    settings.SERVICEDESK_ADMIN_LOGIN_FAILURES_PER_ADDRESS = 3
    for name in ("bob", "carol", "dave"):
        sign_in(client, name, "wrong")
    assert sign_in(client, "ada", "secret-pass-123").status_code == 429
    assert sign_in(client, "ada", "secret-pass-123", address="10.0.0.9").status_code == 302


def test_a_success_below_the_limit_clears_the_logins_count(client, staff, settings):
    for _ in range(settings.SERVICEDESK_ADMIN_LOGIN_FAILURES - 1):
        sign_in(client, "ada", "wrong")
    assert sign_in(client, "ada", "secret-pass-123").status_code == 302
    client.logout()
    for _ in range(settings.SERVICEDESK_ADMIN_LOGIN_FAILURES - 1):
        sign_in(client, "ada", "wrong", address="10.0.0.3")
    assert sign_in(client, "ada", "secret-pass-123", address="10.0.0.3").status_code == 302
