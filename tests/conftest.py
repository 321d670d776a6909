"""Shared fixtures; services that tests need are real, and under CI=true never silently missing."""

import os

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from apps.accounts.actors import actor_for_user
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
pytest_plugins = ["tests.sla_fixtures"]


def need_service(available: bool, what: str) -> None:
    """Skip (or fail under CI=true) a test whose real service is not here."""
    if available:
        return
    message = f"{what} is not available on this machine"
    if IN_CI:
        pytest.fail(f"{message}, and CI=true requires it.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _required_services(request):
    if request.node.get_closest_marker("postgres"):
        need_service(
            connection.vendor == "postgresql", "PostgreSQL (127.0.0.1:5432, or TEST_DATABASE_URL)"
        )
    if request.node.get_closest_marker("redis"):
        need_service(settings.REDIS_AVAILABLE, "Redis (127.0.0.1:6379, or TEST_REDIS_URL)")


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language. Django's LocaleMiddleware activates
    a request's language for the thread and never deactivates it (each real request sets its
    own); the test client runs the view in the test's thread, so without this the language of
    one test's last request (zh-hans in tests/admin/test_languages.py) stays active for the
    next tests' serializer and form errors."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def department(db):
    return DepartmentFactory(name="IT support", code="it")


@pytest.fixture
def customer(db):
    return CustomerFactory(user__username="carol")


@pytest.fixture
def agent(db, department):
    return AgentFactory(user__username="alice", departments=[department])


@pytest.fixture
def customer_actor(customer):
    return actor_for_user(customer.user)


@pytest.fixture
def agent_actor(agent):
    return actor_for_user(agent.user)
