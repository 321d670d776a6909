"""The chatbot on the workers: answer a new request from the knowledge base when it is sure
enough, else route it to a person with the best suggestions attached for the agent."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.actors import BOT, SYSTEM
from apps.core.errors import ServiceDeskError
from apps.eventlog.models import EventKind
from apps.knowledge.matching import suggest
from apps.knowledge.models import Article, ArticleUse, UseKind
from apps.knowledge.outcomes import declined_article_ids
from apps.knowledge.quoting import quotes, text_language
from apps.lifecycle.states import State
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.notices import ANSWER_FOOTER
from workflows.assignment import NOTHING_TO_DO
from workflows.enqueue import enqueue
from workflows.routing import route_batch, route_request

logger = logging.getLogger(__name__)


def answer_request(request_id: int) -> str:
    """Answer or route a request the chatbot has not seen yet; return what was done."""
    outcome = _answer_or_suggest(request_id)
    return route_request(request_id) if outcome is None else outcome


def answer_requests(request_ids: list[int]) -> dict[int, str]:
    """`answer_request` for the requests a web process submitted together (workflows/gather.py):
    those the bot does not answer are routed in one routing batch. One that fails is logged
    and sent again on its own (`chatbot.answer_request`, retried), without holding back the
    rest. Returns what was done with each."""
    outcomes: dict[int, str] = {}
    to_route = []
    for request_id in request_ids:
        try:
            outcome = _answer_or_suggest(request_id)
        except Exception as exc:
            logger.exception("the chatbot failed on request %s; it is sent again alone", request_id)
            if isinstance(exc, (OperationalError, InterfaceError)):
                # A dropped connection stays broken in this process until closed.
                connection.close_if_unusable_or_obsolete()
            enqueue("chatbot.answer_request", request_id=request_id)
            outcomes[request_id] = "failed; sent again alone"
            continue
        if outcome is None:
            to_route.append(request_id)
        else:
            outcomes[request_id] = outcome
    if to_route:
        outcomes.update(route_batch(to_route))
    return outcomes


def _answer_or_suggest(request_id: int) -> str | None:
    """Answer the request if the bot is sure enough, else attach its suggestions; None when
    the request is to be routed."""
    request = ServiceRequest.objects.select_related("customer").filter(pk=request_id).first()
    if request is None or request.state != State.NEW:
        return NOTHING_TO_DO
    if request.article_uses.exists():  # seen before (a redelivery): routing took over
        return None
    text = f"{request.subject}\n{request.description}"
    matches = suggest(
        text,
        language=text_language(text, request.customer.language),
        limit=3,
        exclude=declined_article_ids(request),
    )
    answers = dict(
        Article.objects.filter(pk__in=[m.article_id for m in matches]).values_list("pk", "answer")
    )
    # Never propose what the customer says they have already done.
    matches = [m for m in matches if not quotes(text, answers.get(m.article_id, ""))]
    threshold = settings.SERVICEDESK_CHATBOT_THRESHOLD
    if matches and matches[0].score >= threshold:
        return _answer(request, matches[0])
    if matches:
        _attach_suggestions(request, matches, threshold)
    return None


def _answer(request, match) -> str:
    article = Article.objects.get(pk=match.article_id)
    with transaction.atomic():
        # The footer in the answer's language: the customer wrote in it.
        services.do_post_message(request, actor=BOT, body=_answer_text(article, article.language))
        ArticleUse.objects.create(
            article=article,
            request=request,
            kind=UseKind.ANSWERED,
            score=match.score,
            created_at=timezone.now(),
        )
        services.transition(
            request,
            "propose_answer",
            actor=BOT,
            explain={
                "article": article.key,
                "score": round(match.score, 3),
                "matcher": settings.SERVICEDESK_CHATBOT_MATCHER,
            },
        )
    return f"answered with {article.key}"


def _answer_text(article: Article, language: str) -> str:
    # The footer follows the separator the customer's notice cuts at (tickets.notices).
    with translation.override(language):
        footer = _(
            "Did this solve your problem? Accept the answer to close the request, or decline "
            "it and a person will take over."
        )
    return f"{article.answer}{ANSWER_FOOTER}{footer}"


def _attach_suggestions(request, matches, threshold: float) -> None:
    """Keep the best articles for the agent (those scoring at least
    SERVICEDESK_CHATBOT_SUGGEST_MIN_SCORE), and log that the bot was not sure enough."""
    minimum = settings.SERVICEDESK_CHATBOT_SUGGEST_MIN_SCORE
    matches = [m for m in matches if m.score >= minimum]
    now = timezone.now()
    with transaction.atomic():
        ArticleUse.objects.bulk_create(
            [
                ArticleUse(
                    article_id=m.article_id,
                    request=request,
                    kind=UseKind.SUGGESTED,
                    score=m.score,
                    created_at=now,
                )
                for m in matches
            ]
        )
        services.append_event(
            request,
            kind=EventKind.BOT,
            actor=BOT,
            payload={
                "answered": False,
                "threshold": threshold,
                "suggestions": [{"article": m.key, "score": round(m.score, 3)} for m in matches],
            },
        )


def time_out_answers(limit: int = 500) -> int:
    """Hand bot answers nobody reacted to within SERVICEDESK_CHATBOT_ANSWER_TIMEOUT_MINUTES to
    a person; return how many."""
    minutes = settings.SERVICEDESK_CHATBOT_ANSWER_TIMEOUT_MINUTES
    since = timezone.now() - timedelta(minutes=minutes)
    waiting = ServiceRequest.objects.filter(state=State.BOT_ANSWERED, state_changed_at__lt=since)[
        :limit
    ]
    done = 0
    for request in waiting:
        try:
            services.transition(
                request,
                "answer_timeout",
                actor=SYSTEM,
                reason=f"no reaction within {minutes} minutes",
            )
        except ServiceDeskError:
            continue  # the customer reacted meanwhile
        done += 1
    return done
