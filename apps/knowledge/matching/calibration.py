"""Calibration: raw similarity scores turned into the probability that an article answers a text.

Raw cosine similarities mean different things in different knowledge bases: in a base of
twenty articles about unrelated topics a 0.4 may be a safe answer, in a base of two thousand
articles that share most of their words it is noise. A single threshold must mean the same
everywhere, so every index learns its own mapping when it is built, from the base itself:

1. Leave-one-out self-matching. Each question or phrasing (at most `MAX_QUERIES` of them,
   sampled with a fixed seed so a rebuild of the same base gives the same fit) is matched
   against the index with that one text left out. Its article may still be found through its
   other texts, or not at all when it was the only one, which stands for a question the base
   has no answer to. The vectorizer's vocabulary and weights are not refitted per text
   (the small leak this leaves makes the fit slightly optimistic).
2. Features of each of the top `CANDIDATES` articles for that text, per channel (lexical,
   semantic, or both for the combined matcher): the article's raw score (the best cosine over
   its texts) and its margin over the best other article (negative below the top).
3. Label: whether the candidate is the left-out text's own article.
4. Questions the base has no answer to: every `OUT_OF_BASE_EVERY`-th sampled text is matched
   with its whole article left out, so all its candidates are wrong. Without these, a base
   whose articles all have several phrasings has almost no wrong top hits to learn from, and
   an unrelated text that shares a few common words with an article gets a middling
   probability. This assumes about one question in `OUT_OF_BASE_EVERY` has no answer.
5. A logistic regression (Platt scaling) fitted on those rows gives P(right article |
   features). The combined matcher's weights between its channels are learned the same way.

A base with fewer than `MIN_TEXTS` texts, or whose self-matching is all right or all wrong,
cannot be fitted: it gets a fixed, conservative mapping of the mean raw score instead
(`fallback_probability`), under which only a near-identical text reaches 0.75.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression

MIN_TEXTS = 10
MAX_QUERIES = 2000
CANDIDATES = 3
CHUNK = 256
OUT_OF_BASE_EVERY = 5
SEED = 20261101

Similarities = Callable[[list[str]], np.ndarray]


def article_scores(doc_sims: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The best similarity per article: (channels, queries, docs) -> (channels, queries, articles).

    The texts of each article are contiguous, article i's from `starts[i]`; an article whose
    texts are all left out (-inf) scores 0, as if nothing in it matched."""
    scores = np.maximum.reduceat(doc_sims, starts, axis=-1)
    return np.where(np.isneginf(scores), 0.0, scores)


def features(scores: np.ndarray) -> np.ndarray:
    """(channels, queries, articles) scores -> (queries, articles, 2 * channels) features:
    per channel the score and its margin over the best other article."""
    if scores.shape[-1] < 2:
        best_other = np.zeros_like(scores)
    else:
        top_two = -np.partition(-scores, 1, axis=-1)[..., :2]
        top1, top2 = top_two[..., :1], top_two[..., 1:]
        best_other = np.where(scores >= top1, top2, top1)
    stacked = np.stack([scores, scores - best_other], axis=-1)  # (c, q, a, 2)
    return np.moveaxis(stacked, 0, -2).reshape(*scores.shape[1:], -1)


def fallback_probability(mean_score: np.ndarray) -> np.ndarray:
    """The fixed mapping for bases too small to fit: 0 up to a score of 0.5, 0.95 at 1.0, so
    that an exact phrasing clears the default threshold (0.9) and little else does."""
    return np.clip((mean_score - 0.5) / 0.5, 0.0, 1.0) * 0.95


@dataclass
class Calibrator:
    """Maps features to probabilities with the fitted model, or the fallback without one."""

    model: LogisticRegression | None = None
    samples: int = 0
    positives: int = 0
    reason: str = ""
    stats: dict = field(default_factory=dict)

    @property
    def fitted(self) -> bool:
        return self.model is not None

    def probabilities(self, feats: np.ndarray) -> np.ndarray:
        """(..., features) -> (...) probabilities in [0, 1]."""
        flat = feats.reshape(-1, feats.shape[-1])
        if self.model is None:
            result = fallback_probability(flat[:, 0::2].mean(axis=1))
        else:
            result = self.model.predict_proba(flat)[:, 1]
        return result.reshape(feats.shape[:-1])

    def describe(self) -> dict:
        return {
            "fitted": self.fitted,
            "samples": self.samples,
            "positives": self.positives,
            "reason": self.reason,
        }


def self_matching_rows(
    similarities: Similarities, docs: list[str], doc_article: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-out rows (features, labels) for the top candidates of each sampled text."""
    rng = np.random.default_rng(SEED)
    sample = np.sort(rng.choice(len(docs), size=min(len(docs), MAX_QUERIES), replace=False))
    rows, labels = [], []
    for begin in range(0, len(sample), CHUNK):
        chunk = sample[begin : begin + CHUNK]
        sims = similarities([docs[i] for i in chunk]).astype(np.float64)
        sims[:, np.arange(len(chunk)), chunk] = -np.inf
        own = doc_article[chunk]
        out_of_base = (np.arange(begin, begin + len(chunk)) % OUT_OF_BASE_EVERY) == 0
        sims[:, out_of_base[:, None] & (own[:, None] == doc_article[None, :])] = -np.inf
        feats = features(article_scores(sims, starts))  # (q, a, f)
        mean_scores = feats[..., 0::2].mean(axis=-1)
        top = np.argsort(-mean_scores, axis=1, kind="stable")[:, :CANDIDATES]
        rows.append(np.take_along_axis(feats, top[..., None], axis=1).reshape(-1, feats.shape[-1]))
        labels.append(((top == own[:, None]) & ~out_of_base[:, None]).reshape(-1))
    return np.concatenate(rows), np.concatenate(labels)


def fit_calibrator(
    similarities: Similarities, docs: list[str], doc_article: np.ndarray, starts: np.ndarray
) -> Calibrator:
    """A calibrator fitted by leave-one-out self-matching, or the fallback (see the module)."""
    if len(docs) < MIN_TEXTS:
        return Calibrator(reason=f"fewer than {MIN_TEXTS} questions and phrasings")
    x, y = self_matching_rows(similarities, docs, doc_article, starts)
    positives = int(y.sum())
    if positives == 0 or positives == len(y):
        return Calibrator(samples=len(y), positives=positives, reason="only one class")
    model = LogisticRegression(C=10.0, max_iter=1000)
    model.fit(x, y)
    return Calibrator(model=model, samples=len(y), positives=positives)
