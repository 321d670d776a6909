"""The FAQ suggestions box on a request's admin page (registered with tickets' extensions)."""

from apps.knowledge.markdown import render_answer
from apps.knowledge.models import ArticleUse

# How many FAQ suggestions the page offers at most.
MAX_SUGGESTIONS = 5
TEMPLATE = "admin/knowledge/request_suggestions.html"


def suggestions(service_request) -> list[dict]:
    """The FAQ articles the chatbot kept for the agent (or answered with), best first, each
    with its answer as safe HTML to read and as Markdown to insert into a reply."""
    uses = (
        ArticleUse.objects.filter(request=service_request, article__published=True)
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
