"""Themes of comments: TF-IDF over words, k-means with k chosen by silhouette, top terms as
the theme's name, the comments nearest its centre as examples."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apps.quality.comments.tokens import words

# NumPy and scikit-learn are imported where they are used: the admin and the API import this
# module, and a process that never clusters comments should not hold them
# (tests/servicedesk/test_startup_imports.py).
if TYPE_CHECKING:
    import numpy as np

MAX_THEMES = 6
TERMS_PER_THEME = 3
EXAMPLES_PER_THEME = 3


@dataclass(frozen=True)
class Comment:
    id: int
    text: str
    rating: int | None = None
    sentiment: float | None = None


@dataclass
class Theme:
    terms: list[str]
    count: int
    share: float
    examples: list[str] = field(default_factory=list)
    comment_ids: list[int] = field(default_factory=list)
    mean_rating: float | None = None
    mean_sentiment: float | None = None


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 3) if values else None


def _choose_k(matrix, max_themes: int) -> np.ndarray:
    """Cluster labels for the k in 2..max_themes with the best cosine silhouette."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = matrix.shape[0]
    best, best_score = np.zeros(n, dtype=int), -1.0
    for k in range(2, min(max_themes, n - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(matrix)
        if len(set(labels)) < 2:
            continue
        score = silhouette_score(matrix, labels, metric="cosine")
        if score > best_score:
            best, best_score = labels, score
    return best


def find_themes(comments: list[Comment], *, max_themes: int = MAX_THEMES) -> list[Theme]:
    """Group comments into at most `max_themes` themes, largest first. Comments without a word
    that is not a stop word belong to no theme; fewer than four comments make one theme."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    kept = [c for c in comments if words(c.text)]
    if not kept:
        return []
    vectorizer = TfidfVectorizer(analyzer=words, sublinear_tf=True)
    matrix = vectorizer.fit_transform([c.text for c in kept])
    terms = vectorizer.get_feature_names_out()
    if len(kept) < 4 or matrix.shape[1] < 2:
        labels = np.zeros(len(kept), dtype=int)
    else:
        labels = _choose_k(matrix, max_themes)
    themes = []
    for label in sorted(set(labels)):
        rows = np.flatnonzero(labels == label)
        centre = np.asarray(matrix[rows].mean(axis=0)).ravel()
        top = [terms[i] for i in np.argsort(-centre)[:TERMS_PER_THEME] if centre[i] > 0]
        nearest = rows[np.argsort(-(matrix[rows] @ centre))]
        members = [kept[i] for i in rows]
        themes.append(
            Theme(
                terms=top,
                count=len(rows),
                share=round(len(rows) / len(comments), 4),
                examples=[kept[i].text for i in nearest[:EXAMPLES_PER_THEME]],
                comment_ids=[c.id for c in members],
                mean_rating=_mean(c.rating for c in members),
                mean_sentiment=_mean(c.sentiment for c in members),
            )
        )
    return sorted(themes, key=lambda t: (-t.count, t.terms))
