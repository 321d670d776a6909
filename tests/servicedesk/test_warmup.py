"""A web or worker process builds its FAQ index at start: the first search reads no articles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.knowledge.matching.index import clear_cache
from apps.knowledge.models import Article, Phrasing
from servicedesk.warmup import start_warming

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def faq():
    article = Article.objects.create(key="vpn", question="How do I set up the VPN?", answer="x")
    Phrasing.objects.create(article=article, text="vpn does not connect")
    clear_cache()
    yield
    clear_cache()


def phrasing_reads(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/faq/search/", {"q": "my vpn does not connect"})
    assert response.status_code == 200 and response.json()[0]["key"] == "vpn"
    return sum("knowledge_phrasing" in q["sql"] and "COUNT" not in q["sql"] for q in queries)


def test_the_first_search_after_warming_reads_no_articles(anon_client, faq):
    start_warming().join(timeout=60)
    assert phrasing_reads(anon_client) == 0


def test_without_warming_the_first_search_builds_the_index(anon_client, faq, settings):
    settings.SERVICEDESK_WARM_FAQ_INDEX = False
    assert start_warming() is None
    assert phrasing_reads(anon_client) > 0
