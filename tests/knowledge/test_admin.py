"""FAQ articles in the admin: statistics in one query, safe preview, uses, agents' curation."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.knowledge.markdown import render_answer
from apps.knowledge.models import Article, ArticleUse, Outcome, Phrasing, UseKind
from apps.tickets.models import ServiceRequest
from tests.factories import submit

pytestmark = pytest.mark.django_db

UNSAFE_ANSWER = (
    "Restart the **VPN** client.\n\n"
    "<script>alert('owned')</script>\n\n"
    "[click](javascript:alert(1)) or [the guide](https://intranet.example.com/vpn)\n\n"
    '<img src="x.png" onerror="alert(2)">'
)


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:knowledge_{model}_{view}", args=args)


def use(article, request, kind, outcome=Outcome.PENDING, score=0.7) -> ArticleUse:
    return ArticleUse.objects.create(
        article=article,
        request=request,
        kind=kind,
        score=score,
        outcome=outcome,
        created_at=request.created_at,
    )


def preview_of(response) -> str:
    match = re.search(
        r'<div class="faq-answer-preview">(.*?)</div>', response.content.decode(), re.S
    )
    assert match, "no preview on the page"
    return match.group(1)


@pytest.fixture
def article(db):
    article = Article.objects.create(
        key="vpn-reset", question="How do I reset the VPN?", answer=UNSAFE_ANSWER
    )
    Phrasing.objects.create(article=article, text="vpn keeps dropping")
    Phrasing.objects.create(article=article, text="vpn will not connect")
    return article


@pytest.fixture
def requests_(customer):
    return [submit(customer, subject=f"Problem {n}") for n in range(4)]


@pytest.fixture
def used_article(article, requests_):
    first, second, third, fourth = requests_
    use(article, first, UseKind.SUGGESTED, Outcome.ACCEPTED)
    use(article, second, UseKind.SUGGESTED, Outcome.DECLINED)
    use(article, third, UseKind.SUGGESTED, Outcome.TIMED_OUT)
    use(article, first, UseKind.ANSWERED, Outcome.ACCEPTED)
    use(article, fourth, UseKind.ANSWERED)
    return article


def test_article_and_use_pages_open_for_a_superuser(admin_client, used_article):
    some_use = ArticleUse.objects.first()

    pages = [
        admin_client.get(url("article", "changelist")),
        admin_client.get(url("article", "add")),
        admin_client.get(url("article", "change", used_article.pk)),
        admin_client.get(url("articleuse", "changelist")),
        admin_client.get(url("articleuse", "change", some_use.pk)),
    ]

    assert [page.status_code for page in pages] == [200] * 5
    assert admin_client.get(url("articleuse", "add")).status_code == 403


def test_the_list_counts_each_articles_uses(admin_client, used_article, requests_):
    unused = Article.objects.create(key="printer", question="Printer?", answer="Turn it on.")
    other = Article.objects.create(key="wifi", question="Wi-Fi?", answer="Move closer.")
    use(other, requests_[0], UseKind.SUGGESTED, Outcome.DECLINED)

    response = admin_client.get(url("article", "changelist"))

    rows = {a.key: a for a in response.context["cl"].result_list}
    model_admin = response.context["cl"].model_admin
    stats = {
        key: (
            model_admin.suggested_count(a),
            model_admin.answered_count(a),
            model_admin.accepted_count(a),
            model_admin.declined_count(a),
            model_admin.acceptance_rate(a),
        )
        for key, a in rows.items()
    }
    assert stats == {
        # Accepted of the uses someone reacted to: 2 of 2 accepted + 1 declined.
        "vpn-reset": (3, 2, 2, 1, "67%"),
        "printer": (0, 0, 0, 0, "-"),
        "wifi": (1, 0, 0, 1, "0%"),
    }
    assert unused.pk in {a.pk for a in rows.values()}
    assert "67%" in response.content.decode()


def test_the_list_runs_the_same_queries_for_one_article_or_ten(admin_client, customer):
    request = submit(customer, subject="VPN")

    def make(count: int) -> None:
        for n in range(Article.objects.count(), count):
            article = Article.objects.create(key=f"faq-{n}", question=f"Q{n}", answer="A")
            Phrasing.objects.create(article=article, text=f"phrasing {n}")
            use(article, request, UseKind.SUGGESTED, Outcome.ACCEPTED)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url("article", "changelist")).status_code == 200
        return len(captured)

    make(1)
    one = queries()
    make(10)

    assert queries() == one


def test_the_preview_renders_markdown_without_scripts_or_javascript_links(admin_client, article):
    response = admin_client.get(url("article", "change", article.pk))

    preview = preview_of(response)
    assert "<strong>VPN</strong>" in preview
    assert 'href="https://intranet.example.com/vpn"' in preview
    assert "<script" not in preview
    assert "alert('owned')" not in preview
    assert "javascript:" not in preview
    assert "onerror" not in preview


def test_render_answer_keeps_markdown_and_drops_the_dangerous_parts():
    html = render_answer("# Title\n\n- one\n- two\n\n`code` <b onclick='x()'>bold</b>")

    assert "<h1>Title</h1>" in html
    assert "<li>one</li>" in html
    assert "<code>code</code>" in html
    assert "<b>bold</b>" in html
    assert render_answer("<script>alert(1)</script>") == ""


def test_search_finds_an_article_once_by_any_of_its_phrasings(admin_client, article):
    Article.objects.create(key="printer", question="Printer?", answer="Turn it on.")

    response = admin_client.get(url("article", "changelist"), {"q": "vpn"})
    by_phrasing = admin_client.get(url("article", "changelist"), {"q": "dropping"})

    assert [a.key for a in response.context["cl"].result_list] == ["vpn-reset"]
    assert [a.key for a in by_phrasing.context["cl"].result_list] == ["vpn-reset"]


def test_filters_narrow_the_list(admin_client, article):
    Article.objects.create(
        key="vpn-zh",
        question="VPN 连不上",
        answer="重启客户端。",
        language="zh-hans",
        published=False,
    )

    chinese = admin_client.get(url("article", "changelist"), {"language__exact": "zh-hans"})
    published = admin_client.get(url("article", "changelist"), {"published__exact": "1"})

    assert [a.key for a in chinese.context["cl"].result_list] == ["vpn-zh"]
    assert [a.key for a in published.context["cl"].result_list] == ["vpn-reset"]


def test_uses_are_read_only_and_listed_with_reference_and_key(admin_client, used_article):
    some_use = ArticleUse.objects.filter(kind=UseKind.ANSWERED).first()

    listed = admin_client.get(url("articleuse", "changelist"), {"kind__exact": "answered"})
    posted = admin_client.post(url("articleuse", "change", some_use.pk), {"score": "1"})
    deleted = admin_client.post(url("articleuse", "delete", some_use.pk), {"post": "yes"})

    assert listed.context["cl"].result_count == 2
    assert some_use.request.reference in listed.content.decode()
    assert "vpn-reset" in listed.content.decode()
    assert (posted.status_code, deleted.status_code) == (403, 403)
    assert ArticleUse.objects.count() == 5


def test_an_agent_curates_articles_and_phrasings_but_may_not_delete_articles(agent_client, article):
    phrasings = list(article.phrasings.all())
    data = {
        "key": "vpn-reset",
        "question": "How do I reset the VPN client?",
        "language": "en",
        "published": "on",
        "answer": "Restart it.",
        "category": "",
        "department": "",
        "phrasings-TOTAL_FORMS": "3",
        "phrasings-INITIAL_FORMS": "2",
        "phrasings-MIN_NUM_FORMS": "0",
        "phrasings-MAX_NUM_FORMS": "1000",
        "phrasings-0-id": str(phrasings[0].pk),
        "phrasings-0-article": str(article.pk),
        "phrasings-0-text": "vpn keeps dropping",
        "phrasings-0-DELETE": "on",
        "phrasings-1-id": str(phrasings[1].pk),
        "phrasings-1-article": str(article.pk),
        "phrasings-1-text": "vpn will not connect",
        "phrasings-2-article": str(article.pk),
        "phrasings-2-text": "reset my vpn",
    }

    saved = agent_client.post(url("article", "change", article.pk), data)
    deleted = agent_client.post(url("article", "delete", article.pk), {"post": "yes"})

    assert saved.status_code == 302, saved.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.question == "How do I reset the VPN client?"
    assert [p.text for p in article.phrasings.all()] == ["vpn will not connect", "reset my vpn"]
    assert deleted.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_an_agent_sees_only_uses_on_requests_they_may_see(
    client, other_agent, other_department, department, used_article, requests_
):
    # Bypassing the door on purpose: only the requests' departments matter here.
    ServiceRequest.objects.filter(pk__in=[r.pk for r in requests_]).update(department=department)
    ServiceRequest.objects.filter(pk=requests_[0].pk).update(department=other_department)
    client.force_login(other_agent.user)

    response = client.get(url("articleuse", "changelist"))

    assert response.status_code == 200
    assert {u.request_id for u in response.context["cl"].result_list} == {requests_[0].pk}
