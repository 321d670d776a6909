"""The API's request pages are read through the connection that prepares repeated statements
(servicedesk/settings/databases.py): the pages, filters and counts answer exactly what the
default connection answers, once the statements are prepared and PostgreSQL plans them
generically too; inside a transaction the page reads the default connection."""

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings

from apps.tickets import selectors
from servicedesk.settings.databases import PREPARED_READS, with_prepared_reads
from tests.support.api import client_for
from tests.tickets.test_api_query_counts import population  # noqa: F401  the fixture, reused
from tests.tickets.test_api_representation import _vary

# Past psycopg's prepare threshold and PostgreSQL's five custom plans of a prepared statement.
CALLS = 12
QUERIES = [
    {},
    {"page_size": 20, "page": 2},
    {"state": ["new", "in_progress"], "ordering": "-priority"},
    {"q": "Request 1", "created_after": "2020-01-01T00:00:00Z"},
    {"page": 9},  # past the end: Django's paginator counts, then 404
]


def _answers(client, path: str, query: dict) -> tuple[int, dict]:
    response = client.get(path, query)
    body = response.json()
    body.get("error", {}).pop("request_id", None)  # each call's own
    return response.status_code, body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, PREPARED_READS])
def test_pages_through_prepared_statements_answer_as_the_default_connection(population):  # noqa: F811  the fixture imported above
    assert settings.SERVICEDESK_PAGE_DATABASE == PREPARED_READS
    assert selectors.page_database() == PREPARED_READS
    _vary(population)
    for user, path in (
        (population.desk.customer.user, "/api/v1/requests/"),
        (population.multi.user, "/api/v1/requests/"),
        (population.multi.user, "/api/v1/queue/"),
    ):
        client = client_for(user)
        for query in QUERIES:
            with override_settings(SERVICEDESK_PAGE_DATABASE=DEFAULT_DB_ALIAS):
                expected = _answers(client, path, query)
            assert expected[0] in (200, 404), expected
            for _ in range(CALLS):
                assert _answers(client, path, query) == expected, (user, path, query)
    with connections[PREPARED_READS].cursor() as cursor:
        cursor.execute("SELECT count(*), sum(generic_plans) FROM pg_prepared_statements")
        prepared, generic = cursor.fetchone()
    assert prepared >= len(QUERIES)
    assert generic > 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_inside_a_transaction_the_page_reads_the_default_connection():
    assert settings.SERVICEDESK_PAGE_DATABASE == PREPARED_READS
    assert selectors.page_database() == DEFAULT_DB_ALIAS


def test_the_alias_is_added_for_postgresql_only_and_when_enabled():
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "desk", "OPTIONS": {"a": 1}}
    databases = {"default": postgres}
    assert with_prepared_reads(databases, enabled=True, mirror=True) == PREPARED_READS
    alias = databases[PREPARED_READS]
    assert alias["NAME"] == "desk"
    assert alias["OPTIONS"] == {"a": 1, "server_side_binding": True, "prepare_threshold": 5}
    assert alias["TEST"] == {"MIRROR": "default"}
    assert postgres["OPTIONS"] == {"a": 1}  # the default keeps client-side binding
    for engine, enabled in (("django.db.backends.sqlite3", True), (postgres["ENGINE"], False)):
        databases = {"default": {"ENGINE": engine, "NAME": "desk"}}
        assert with_prepared_reads(databases, enabled=enabled) == DEFAULT_DB_ALIAS
        assert list(databases) == ["default"]
