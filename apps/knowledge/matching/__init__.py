"""Suggesting FAQ articles for a customer's text, with a calibrated probability for each."""

from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Match:
    article_id: int
    key: str
    score: float  # calibrated 0..1: the estimated probability that this article answers the text
    phrasing: str  # the question or phrasing that matched best


def suggest(
    text: str,
    *,
    language: str | None = None,
    limit: int = 3,
    exclude: Collection[int] = (),
    matcher: str | None = None,
) -> list[Match]:
    """The published articles that best answer `text`, most probable first.

    `language` keeps the articles in that language ("zh" also finds "zh-hans") when the base
    has any published in it, all articles otherwise; `exclude` drops article ids (those the
    customer declined). `matcher` is "lexical", "semantic" or "combined", by default
    SERVICEDESK_CHATBOT_MATCHER. Compare `score` with SERVICEDESK_CHATBOT_THRESHOLD.
    Raises ValueError for an unknown matcher, and semantic.SemanticUnavailable when the
    semantic or combined matcher is chosen without its packages installed.
    """
    from apps.knowledge.matching.index import get_index

    index = get_index(matcher or settings.SERVICEDESK_CHATBOT_MATCHER)
    if not text or not text.strip():
        return []
    snapshot = index.snapshot
    ranked = index.rank(text, index.allowed(language, exclude), limit)
    return [
        Match(
            article_id=int(snapshot.article_ids[article]),
            key=snapshot.keys[article],
            score=probability,
            phrasing=snapshot.docs[doc],
        )
        for article, probability, doc in ranked
    ]
