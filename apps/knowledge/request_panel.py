"""The FAQ suggestions box on a request's admin page (registered with tickets' extensions)."""

from django.conf import settings
from django.db.models import Q

from apps.knowledge.markdown import render_answer
from apps.knowledge.models import ArticleUse, UseKind

# How many FAQ suggestions the page offers at most.
MAX_SUGGESTIONS = 5
TEMPLATE = "admin/knowledge/request_suggestions.html"


def suggestions(service_request) -> list[dict]:
    """The FAQ articles the chatbot kept for the agent (or answered with), best first, each
    with its answer as safe HTML to read and as Markdown to insert into a reply. Suggestions
    below SERVICEDESK_CHATBOT_SUGGEST_MIN_SCORE (kept before the setting existed) are not shown."""
    worth_showing = Q(kind=UseKind.ANSWERED) | Q(
        score__gte=settings.SERVICEDESK_CHATBOT_SUGGEST_MIN_SCORE
    )
    uses = (
        ArticleUse.objects.filter(worth_showing, request=service_request, article__published=True)
        .select_related("article")
        .order_by("-score", "pk")[:MAX_SUGGESTIONS]
    )
    return [
        {
            "article": use.article,
            "kind": use.get_kind_display(),
            "score": round(use.score * 100),
            "answer_html": render_answer(use.article.answer),
            "answer_text": use.article.answer,
        }
        for use in uses
    ]
