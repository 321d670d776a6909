"""The chatbot flow with the real matcher: answer, accept, decline, time out, or route."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from apps.eventlog.models import Event
from apps.knowledge.models import Article, ArticleUse, Phrasing
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from tests.factories import DepartmentFactory, submit
from workflows import chatbot
from workflows.chatbot import answer_request, answer_requests, time_out_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge_base(db):
    DepartmentFactory(code="triage", is_triage=True)
    faq = [
        (
            "reset-password",
            "How do I reset my password?",
            "Use the self-service portal.",
            [
                "I forgot my password",
                "password reset",
                "cannot log in, forgot password",
                "忘记密码了怎么办",
                "重置密码",
            ],
        ),
        (
            "vpn-setup",
            "How do I set up the VPN?",
            "Install the VPN client and sign in.",
            ["vpn does not connect", "install vpn client", "VPN 连接不上", "如何配置VPN"],
        ),
        (
            "printer-toner",
            "The printer is out of toner",
            "Replacement toner is in room 2.14.",
            ["printer says toner low", "no toner in printer", "打印机没有墨粉了"],
        ),
    ]
    for key, question, answer, phrasings in faq:
        article = Article.objects.create(key=key, question=question, answer=answer)
        Phrasing.objects.bulk_create(Phrasing(article=article, text=t) for t in phrasings)


def _trail(request) -> list[tuple]:
    return [
        (e.kind, e.transition)
        for e in Event.objects.filter(request=request).exclude(kind="sla_clock").order_by("seq")
    ]


def _confident(customer, settings):
    settings.SERVICEDESK_CHATBOT_THRESHOLD = 0.3  # the tiny test knowledge base is sure enough
    request = submit(customer, subject="I forgot my password and cannot log in")
    assert answer_request(request.pk) == "answered with reset-password"
    return ServiceRequest.objects.get(pk=request.pk)


def test_a_confident_answer_is_proposed_and_accepted(
    knowledge_base, customer, customer_actor, settings
):
    request = _confident(customer, settings)
    assert request.state == "bot_answered"
    reply = request.messages.get()
    assert (reply.author_role, reply.visibility) == ("bot", "public")
    assert "self-service portal" in reply.body
    services.transition(request, "accept_answer", actor=customer_actor)
    use = ArticleUse.objects.get(request=request)
    assert (use.kind, use.outcome) == ("answered", "accepted")
    assert _trail(request) == [
        ("transition", "submit"),
        ("message", ""),
        ("transition", "propose_answer"),
        ("transition", "accept_answer"),
    ]
    propose = Event.objects.get(request=request, transition="propose_answer")
    assert propose.actor_role == "bot"
    assert propose.payload["explain"]["article"] == "reset-password"
    call_command("check_event_log")


def test_a_declined_answer_goes_to_routing_and_is_remembered(
    knowledge_base, customer, customer_actor, settings
):
    request = _confident(customer, settings)
    request = services.transition(request, "decline_answer", actor=customer_actor)
    assert request.state == "new"
    assert ArticleUse.objects.get(request=request).outcome == "declined"
    # The routing task the decline enqueues: the chatbot does not answer twice.
    assert answer_request(request.pk).startswith("routed to triage")
    assert ServiceRequest.objects.get(pk=request.pk).state == "queued"
    call_command("check_event_log")


def test_no_reaction_times_out_to_routing(knowledge_base, customer, settings):
    request = _confident(customer, settings)
    settings.SERVICEDESK_CHATBOT_ANSWER_TIMEOUT_MINUTES = 60
    assert time_out_answers() == 0
    ServiceRequest.objects.filter(pk=request.pk).update(
        state_changed_at=request.state_changed_at - timedelta(hours=2)
    )
    assert time_out_answers() == 1
    request = ServiceRequest.objects.get(pk=request.pk)
    assert request.state == "new"
    assert ArticleUse.objects.get(request=request).outcome == "timed_out"
    assert _trail(request)[-1] == ("transition", "answer_timeout")


def test_low_confidence_routes_at_once_with_suggestions(knowledge_base, customer, settings):
    settings.SERVICEDESK_CHATBOT_THRESHOLD = 1.01  # no score reaches it
    request = submit(customer, subject="VPN 连接不上, I need help")
    assert answer_request(request.pk).startswith("routed to triage")
    request = ServiceRequest.objects.get(pk=request.pk)
    assert request.state == "queued"
    uses = list(ArticleUse.objects.filter(request=request).order_by("-score"))
    assert uses and uses[0].article.key == "vpn-setup"
    assert {u.kind for u in uses} == {"suggested"}
    bot = Event.objects.get(request=request, kind="bot")
    assert bot.payload["suggestions"][0]["article"] == "vpn-setup"
    assert _trail(request) == [("transition", "submit"), ("bot", ""), ("transition", "route")]
    assert answer_request(request.pk) == "nothing to do"  # a redelivery
    call_command("check_event_log")


def test_an_empty_knowledge_base_routes(customer, settings):
    DepartmentFactory(code="triage", is_triage=True)
    request = submit(customer, subject="Anything")
    assert answer_request(request.pk).startswith("routed to triage")


def test_a_gathered_batch_answers_some_and_routes_the_rest_in_one_go(
    knowledge_base, customer, settings
):
    # Only the password request is close enough to an article (0.97; the others about 0.3).
    settings.SERVICEDESK_CHATBOT_THRESHOLD = 0.5
    answered = submit(customer, subject="I forgot my password and cannot log in")
    routed = [submit(customer, subject=f"Xylophone quux {i} arrived broken") for i in range(3)]
    ids = [answered.pk, *(r.pk for r in routed)]
    outcomes = answer_requests(ids)
    assert outcomes[answered.pk] == "answered with reset-password"
    assert [outcomes[r.pk][:16] for r in routed] == ["routed to triage"] * 3, outcomes
    states = dict(ServiceRequest.objects.filter(pk__in=ids).values_list("pk", "state"))
    assert states == {answered.pk: "bot_answered", **{r.pk: "queued" for r in routed}}
    assert Event.objects.filter(request__in=routed, transition="route").count() == 3
    assert answer_requests(ids) == {pk: "nothing to do" for pk in ids}  # a redelivery
    call_command("check_event_log")


def test_one_request_failing_in_a_batch_is_sent_alone_and_holds_back_nothing(
    knowledge_base, customer, settings, monkeypatch
):
    DepartmentFactory(code="net")
    first, broken, last = (submit(customer, subject=f"Quarterly report {i}") for i in range(3))
    real_suggest = chatbot.suggest

    def suggest(text, **kwargs):
        if "report 1" in text:
            raise RuntimeError("the matcher failed")
        return real_suggest(text, **kwargs)

    sent = []
    monkeypatch.setattr(chatbot, "suggest", suggest)
    monkeypatch.setattr(chatbot, "enqueue", lambda name, **kw: sent.append((name, kw)) or True)
    outcomes = answer_requests([first.pk, broken.pk, last.pk])
    assert outcomes[broken.pk] == "failed; sent again alone"
    assert sent == [("chatbot.answer_request", {"request_id": broken.pk})]
    states = dict(
        ServiceRequest.objects.filter(pk__in=[first.pk, broken.pk, last.pk]).values_list(
            "pk", "state"
        )
    )
    assert states == {first.pk: "queued", broken.pk: "new", last.pk: "queued"}


@pytest.mark.parametrize(
    ("reply", "transition", "state", "outcome"),
    [
        ("That did not help, the laptop still won't start", "decline_answer", "queued", "declined"),
        ("What about my other laptop?", "decline_answer", "queued", "declined"),
        ("还是不行", "decline_answer", "queued", "declined"),
        ("Thanks, that worked!", "accept_answer", "resolved", "accepted"),
        ("问题解决了 谢谢", "accept_answer", "resolved", "accepted"),
    ],
)
def test_a_reply_to_the_bot_answer_is_a_decline_unless_it_says_solved(
    knowledge_base, customer, customer_actor, settings, reply, transition, state, outcome
):
    request = _confident(customer, settings)
    services.do_post_message(request, actor=customer_actor, body=reply)
    request = ServiceRequest.objects.get(pk=request.pk)
    assert _trail(request)[-2:] == [("message", ""), ("transition", transition)]
    assert ArticleUse.objects.get(request=request, kind="answered").outcome == outcome
    if transition == "decline_answer":
        assert answer_request(request.pk).startswith("routed to triage")  # as the decline
    assert ServiceRequest.objects.get(pk=request.pk).state in {state, "new"}
    call_command("check_event_log")


def test_an_article_the_request_quotes_as_done_is_not_proposed(knowledge_base, customer, settings):
    settings.SERVICEDESK_CHATBOT_THRESHOLD = 0.3
    request = submit(
        customer,
        subject="I forgot my password",
        description="I already used the self-service portal and it did not work.",
    )
    assert answer_request(request.pk).startswith("routed to triage")
    assert not ArticleUse.objects.filter(request=request, article__key="reset-password").exists()


def test_agents_see_only_suggestions_above_the_minimum_score(knowledge_base, customer, settings):
    settings.SERVICEDESK_CHATBOT_THRESHOLD = 1.01
    settings.SERVICEDESK_CHATBOT_SUGGEST_MIN_SCORE = 0.2
    request = submit(customer, subject="The printer says toner low")
    answer_request(request.pk)
    scores = list(ArticleUse.objects.filter(request=request).values_list("score", flat=True))
    assert scores and min(scores) >= 0.2
    unrelated = submit(customer, subject="Xylophone quux arrived broken")
    answer_request(unrelated.pk)
    assert not ArticleUse.objects.filter(request=unrelated).exists()
    bot = Event.objects.get(request=unrelated, kind="bot")
    assert bot.payload["suggestions"] == []


def test_the_footer_is_in_the_language_the_customer_wrote_in(knowledge_base, customer, settings):
    settings.SERVICEDESK_CHATBOT_THRESHOLD = 0.3
    Article.objects.create(
        key="zh-vpn", question="VPN 怎么连接", answer="安装 VPN 客户端并登录。", language="zh-hans"
    ).phrasings.create(text="VPN 连接不上")
    customer.language = "en"
    customer.save()
    request = submit(customer, subject="VPN 连接不上怎么办")
    assert answer_request(request.pk) == "answered with zh-vpn"
    body = ServiceRequest.objects.get(pk=request.pk).messages.get().body
    assert "安装 VPN 客户端" in body
    assert "Did this solve your problem" not in body  # the footer is Chinese too


def test_a_reply_by_the_api_declines_the_bot_answer(
    knowledge_base, customer, customer_client, settings
):
    request = _confident(customer, settings)
    response = customer_client.post(
        f"/api/v1/requests/{request.reference}/messages/",
        {"body": "I tried that, it still does not work"},
        format="json",
    )
    assert response.status_code == 201, response.content
    request = ServiceRequest.objects.get(pk=request.pk)
    assert request.state == "new"
    assert ArticleUse.objects.get(request=request).outcome == "declined"
