"""What the feedback of a period says: CSAT figures, comment sentiment and themes."""

from dataclasses import asdict
from datetime import datetime

from django.core.cache import cache
from django.db.models import Avg, Count, Max

from apps.quality.comments.sentiment import score_sentiment, sentiment_label
from apps.quality.comments.themes import Comment, find_themes
from apps.tickets.models import Feedback

# The newest comments analysed per call: themes of a few hundred read well, and k-means and
# the silhouette stay well under a second.
COMMENT_LIMIT = 500
CACHE_SECONDS = 600
SENTIMENT_SECONDS = 30 * 24 * 3600


def analyse_feedback(
    *, start: datetime, end: datetime, department_id: int | None = None, limit: int = COMMENT_LIMIT
) -> dict:
    """CSAT count, average and distribution of the feedback given in [start, end), and the
    sentiment and themes of its newest `limit` comments. Cached until new feedback arrives."""
    feedback = Feedback.objects.filter(created_at__gte=start, created_at__lt=end)
    if department_id:
        feedback = feedback.filter(request__department_id=department_id)
    summary = feedback.aggregate(count=Count("pk"), average=Avg("rating"), newest=Max("pk"))
    key = f"quality:feedback:{start.isoformat()}:{end.isoformat()}:{department_id}:{limit}:"
    key += f"{summary['count']}:{summary['newest']}"
    found = cache.get(key)
    if found is not None:
        return found
    distribution = {str(r): 0 for r in range(1, 6)}
    for row in feedback.order_by().values("rating").annotate(n=Count("pk")):
        distribution[str(row["rating"])] = row["n"]
    rows = feedback.exclude(comment="").order_by("-created_at", "-pk")
    rows = list(rows.values_list("pk", "comment", "rating")[:limit])
    sentiments = _sentiments({pk: text for pk, text, _ in rows})
    comments = [
        Comment(id=pk, text=text, rating=rating, sentiment=sentiments[pk])
        for pk, text, rating in rows
    ]
    result = {
        "count": summary["count"],
        "average": round(summary["average"], 3) if summary["average"] is not None else None,
        "distribution": distribution,
        "comments": len(comments),
        "sentiment": _sentiment_summary(comments),
        "themes": [asdict(t) for t in find_themes(comments)],
    }
    cache.set(key, result, CACHE_SECONDS)
    return result


def _sentiments(texts: dict[int, str]) -> dict[int, float | None]:
    """Sentiment per feedback id; feedback is given once and never edited, so each comment's
    score is cached for a long time and scored again only when the cache lost it."""
    keys = {f"quality:sentiment:{pk}": pk for pk in texts}
    found = cache.get_many(list(keys))
    scores = {keys[key]: value["s"] for key, value in found.items()}
    fresh = {pk: score_sentiment(text) for pk, text in texts.items() if pk not in scores}
    cache.set_many(
        {f"quality:sentiment:{pk}": {"s": v} for pk, v in fresh.items()}, SENTIMENT_SECONDS
    )
    return {**scores, **fresh}


def _sentiment_summary(comments: list[Comment]) -> dict:
    scores = [c.sentiment for c in comments if c.sentiment is not None]
    labels = [sentiment_label(s) for s in scores]
    return {
        "mean": round(sum(scores) / len(scores), 4) if scores else None,
        "positive": labels.count("positive"),
        "neutral": labels.count("neutral"),
        "negative": labels.count("negative"),
    }
