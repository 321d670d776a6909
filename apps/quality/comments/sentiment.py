"""Sentiment of a comment from -1 (negative) to 1 (positive): VADER for English, SnowNLP for
Chinese; both are lexicon or small bundled models, so nothing is downloaded at run time."""

from functools import cache

from apps.quality.comments.tokens import has_chinese


@cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@cache
def _snownlp():
    # SnowNLP loads its models on import (about 3 s), so only when a Chinese comment comes.
    from snownlp import SnowNLP

    return SnowNLP


def score_sentiment(text: str) -> float | None:
    """The comment's sentiment in [-1, 1], or None for a comment without words."""
    text = (text or "").strip()
    if not any(c.isalpha() for c in text):
        return None
    if has_chinese(text):
        # SnowNLP gives the probability of positive; stretched to the same scale as VADER.
        return round(2 * _snownlp()(text).sentiments - 1, 4)
    return round(_vader().polarity_scores(text)["compound"], 4)


def sentiment_label(score: float | None, *, margin: float = 0.05) -> str:
    """ "positive", "negative", "neutral" (within `margin` of 0), or "" without a score."""
    if score is None:
        return ""
    if score > margin:
        return "positive"
    if score < -margin:
        return "negative"
    return "neutral"
