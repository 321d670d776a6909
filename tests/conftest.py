"""Shared fixtures; services that tests need are real, and under CI=true never silently missing."""

import os

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from apps.accounts.actors import actor_for_user
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
# Tests are organised by app (tests/<app>/); the kind of a test is a marker (pyproject.toml).
# Fixtures several apps' tests share live in tests/support and are loaded for every test.
pytest_plugins = [
    "tests.sla_fixtures",
    "tests.support.admin",
    "tests.support.analytics",
    "tests.support.api",
    "tests.support.attachments",
    "tests.support.browser",
    "tests.support.workers",
    "tests.support.faults",
    "tests.support.dovecot",
    "tests.support.smtp",
]


# The kind markers `make test-fast` leaves out, by the fixtures that make a test of that kind.
KIND_BY_FIXTURE = {
    "celery_worker_process": "worker",
    "stack": "worker",  # tests/faults: an API server, Celery workers and beat
    "redis_server": "faults",  # tests/faults: a Redis of the test's own, stopped and started
    "browser": "browser",
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Refuse a run in which a test uses a worker, a browser or a fault fixture without the
    marker of that kind, so `-m 'not worker and not browser and not faults'` never starts one.
    The markers themselves stay explicit in each module's `pytestmark`."""
    unmarked = sorted(
        f"{item.nodeid} uses {fixture} without @pytest.mark.{kind}"
        for item in items
        for fixture, kind in KIND_BY_FIXTURE.items()
        if fixture in getattr(item, "fixturenames", ()) and not item.get_closest_marker(kind)
    )
    if unmarked:
        raise pytest.UsageError("tests without their kind's marker:\n" + "\n".join(unmarked))


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
    one test's last request (zh-hans in tests/servicedesk/test_languages.py) stays active for the
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
