"""The customer's reaction to a bot answer, recorded on the article use in the same transaction."""

from apps.knowledge.models import ArticleUse, Outcome, UseKind
from apps.tickets.hooks import on_transition

OUTCOME_OF = {
    "accept_answer": Outcome.ACCEPTED,
    "decline_answer": Outcome.DECLINED,
    "answer_timeout": Outcome.TIMED_OUT,
}


@on_transition
def record_outcome(request, name: str, from_state: str, at) -> None:
    outcome = OUTCOME_OF.get(name)
    if outcome is not None:
        ArticleUse.objects.filter(
            request=request, kind=UseKind.ANSWERED, outcome=Outcome.PENDING
        ).update(outcome=outcome)


def declined_article_ids(request) -> set[int]:
    """Articles the customer declined on this request: never proposed to them again."""
    return set(
        ArticleUse.objects.filter(request=request, outcome=Outcome.DECLINED).values_list(
            "article_id", flat=True
        )
    )
