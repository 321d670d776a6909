"""The learning matcher: a linear classifier over a knowledge base's articles, plus "none of these".

Every published article is a class whose training texts are its question and phrasings; one
more class, "none of these", learns from out-of-scope questions: the base's own
(`OutOfScopeQuestion`) and a default set of generic ones in English and Chinese shipped in
`apps/knowledge/data/out_of_scope.txt`. The features are the matcher's: word and character
n-gram TF-IDF (lexical), frozen sentence embeddings (semantic), or both side by side in one
model (combined). The model is a multinomial logistic regression (L2, lbfgs).

Calibration. The classifier's own probabilities on texts it was trained on are too sure of
themselves, and their scale depends on the base (how many articles, how many phrasings each).
So the base is cross-validated when the index is built: `FOLDS` folds of its texts, each
predicted by a model trained without it. A text whose article has no other text in training
stands for a question the base cannot answer, and the out-of-scope texts for unrelated ones.
For each held-out text, the feature is the log-odds of the best article's probability, with
the label "that article is the text's own"; a one-feature logistic regression (Platt scaling)
fitted on those rows maps a probability to P(right). The mapping is increasing, so it keeps
the classifier's ranking, and one threshold means the same in every base.

Bases with too few texts to cross-validate, or more articles than `MAX_ARTICLES` (the weights
grow with articles x features), keep the nearest-phrasing matcher (calibration.py).
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

FOLDS = 4
MIN_TEXTS = 10
MAX_ARTICLES = 500  # weights: 8 bytes x (articles + 1) x features (~50k at 10k texts)
C = 10.0
MAX_ITER = 300
SEED = 20261204
EPSILON = 1e-6
CONSERVATIVE_B = -5.0  # without a fit: even p = 0.99 maps to 0.4
OUT_OF_SCOPE_FILE = Path(__file__).resolve().parent.parent / "data" / "out_of_scope.txt"


def default_out_of_scope() -> list[str]:
    """The generic out-of-scope questions that ship with the desk (English and Chinese)."""
    lines = OUT_OF_SCOPE_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return np.log(p / (1 - p))


def _stack(parts: list) -> object:
    if len(parts) == 1:
        return parts[0]
    return sparse.hstack([sparse.csr_matrix(part) for part in parts], format="csr")


def _fit(x, y: np.ndarray) -> LogisticRegression:
    model = LogisticRegression(C=C, max_iter=MAX_ITER, tol=1e-3)
    # One BLAS thread: on small problems, threads fighting over shared cores cost 10x.
    with threadpool_limits(limits=1):
        model.fit(x, y)
    return model


def _full_probabilities(model: LogisticRegression, x, classes: int) -> np.ndarray:
    """(texts, classes) probabilities, zero for classes the model was not trained on."""
    result = np.zeros((x.shape[0], classes))
    result[:, model.classes_] = model.predict_proba(x)
    return result


@dataclass
class Platt:
    """P(right) = sigmoid(a * logit(p) + b), with a > 0 (monotone); identity-like fallback."""

    a: float = 1.0
    b: float = 0.0
    samples: int = 0
    positives: int = 0
    stats: dict = field(default_factory=dict)

    def __call__(self, p: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.a * _logit(p) + self.b)))


def fit_platt(p: np.ndarray, right: np.ndarray) -> Platt:
    """The Platt mapping from held-out top probabilities and whether each was right."""
    positives = int(right.sum())
    if positives in (0, len(right)):
        return Platt(a=1.0, b=CONSERVATIVE_B, samples=len(right), positives=positives)
    model = LogisticRegression(C=100.0)
    model.fit(_logit(p)[:, None], right)
    a, b = float(model.coef_[0, 0]), float(model.intercept_[0])
    if a <= 0:  # no signal: stay conservative
        a, b = 1.0, CONSERVATIVE_B
    return Platt(a=a, b=b, samples=len(right), positives=positives)


class ArticleClassifier:
    """The trained model over `articles` classes (+ none) and its calibration."""

    def __init__(
        self,
        vectors,
        docs: list[str],
        doc_article: np.ndarray,
        articles: int,
        out_of_scope: list[str],
    ) -> None:
        self.vectors = vectors  # texts -> feature matrix (sparse or dense)
        self.articles = articles
        x = vectors([*docs, *out_of_scope])
        y = np.concatenate([doc_article, np.full(len(out_of_scope), articles)])
        self.platt = self._cross_validate(x, y)
        self.model = _fit(x, y)
        self.texts = len(docs)
        self.out_of_scope = len(out_of_scope)

    def _cross_validate(self, x, y: np.ndarray) -> Platt:
        tops, right = [], []
        folds = KFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
        for train, test in folds.split(y):
            if len(np.unique(y[train])) < 2:
                continue
            model = _fit(x[train], y[train])
            probabilities = _full_probabilities(model, x[test], self.articles + 1)
            best = np.argmax(probabilities[:, : self.articles], axis=1)
            tops.append(probabilities[np.arange(len(test)), best])
            right.append(best == y[test])
        return fit_platt(np.concatenate(tops), np.concatenate(right))

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(texts, articles) calibrated probabilities that each article answers each text."""
        raw = _full_probabilities(self.model, self.vectors(texts), self.articles + 1)
        return self.platt(raw[:, : self.articles])

    def describe(self) -> dict:
        return {
            "fitted": True,
            "kind": "classifier",
            "samples": self.platt.samples,
            "positives": self.platt.positives,
            "out_of_scope_texts": self.out_of_scope,
            "platt": [round(self.platt.a, 4), round(self.platt.b, 4)],
            "reason": "",
        }


def classifier_reason(texts: int, articles: int) -> str:
    """Why a base keeps the nearest-phrasing matcher, or "" when it gets a classifier."""
    if texts < MIN_TEXTS:
        return f"fewer than {MIN_TEXTS} questions and phrasings"
    if articles > MAX_ARTICLES:
        return f"more than {MAX_ARTICLES} articles"
    return ""


def features_of(scorer) -> object:
    """The scorer's feature function for the classifier (one or several feature blocks)."""
    parts = getattr(scorer, "parts", (scorer,))

    def vectors(texts: list[str]):
        return _stack([part.vectors(texts) for part in parts])

    return vectors
