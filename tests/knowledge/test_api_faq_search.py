"""`GET /api/v1/faq/search/`: the best articles for a question, for anyone, throttled."""

import pytest

from apps.knowledge.models import Article, Phrasing

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq(db):
    for key, question, answer, phrasings in [
        (
            "reset-password",
            "How do I reset my password?",
            "Use the **portal**.",
            ["forgot my password", "重置密码"],
        ),
        (
            "vpn-setup",
            "How do I set up the VPN?",
            "Install the client.",
            ["vpn does not connect", "VPN 连接不上"],
        ),
    ]:
        article = Article.objects.create(key=key, question=question, answer=answer)
        Phrasing.objects.bulk_create(Phrasing(article=article, text=t) for t in phrasings)
    Article.objects.create(
        key="draft", question="Forgot password draft", answer="x", published=False
    )


def test_anyone_can_ask_and_gets_ranked_articles(anon_client, faq):
    response = anon_client.get("/api/v1/faq/search/", {"q": "I forgot my password"})
    assert response.status_code == 200, response.content
    hits = response.json()
    assert hits[0]["key"] == "reset-password"
    assert hits[0]["answer_html"] == "<p>Use the <strong>portal</strong>.</p>"
    assert 0 <= hits[-1]["score"] <= hits[0]["score"] <= 1
    assert "draft" not in [h["key"] for h in hits]


def test_chinese_questions_find_their_article(anon_client, faq):
    hits = anon_client.get("/api/v1/faq/search/", {"q": "我的VPN连接不上"}).json()
    assert hits[0]["key"] == "vpn-setup"


def test_a_question_is_required_and_bounded(anon_client, faq):
    for params in ({}, {"q": "x" * 1001}, {"q": "vpn", "limit": 0}, {"q": "vpn", "limit": 11}):
        response = anon_client.get("/api/v1/faq/search/", params)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"


def test_faq_search_is_throttled(anon_client, faq, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "100/minute", "user": "100/minute", "faq": "2/minute"},
    )
    codes = [anon_client.get("/api/v1/faq/search/", {"q": "vpn"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
