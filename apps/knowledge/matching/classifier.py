"""The learning matcher: a linear classifier over a knowledge base's articles, plus "none of these".

Every published article is a class whose training texts are its question and phrasings; one
more class, "none of these", learns from out-of-scope questions: the base's own
(`OutOfScopeQuestion`) and a default set of generic ones in English and Chinese shipped in
`apps/knowledge/data/out_of_scope.txt`. The features are the matcher's: word and character
n-gram TF-IDF (lexical), frozen sentence embeddings (semantic), or both (combined: one model on
both blocks, or one per block pooled with a weight, whichever cross-validation on the base
prefers: blend.py). The model is a multinomial logistic regression (L2, lbfgs).

Calibration. The classifier's own probabilities on texts it was trained on are too sure of
themselves, and their scale depends on the base (how many articles, how many phrasings each).
So the base is cross-validated when the index is built: `FOLDS` folds of its texts, each
predicted by a model trained without it. A text whose article has no other text in training
stands for a question the base cannot answer, and the out-of-scope texts for unrelated ones.
For each held-out text, two features of the best article: the log-odds of its probability and
its margin (that log-odds less the runner-up's), with the label "that article is the text's
own"; a logistic regression (Platt scaling) fitted on those rows maps them to P(right). Its
weights are kept non-negative (the fit falls back to the probability alone, then to a
conservative constant mapping), so P(right) never falls when an article's probability or its
lead grows: the classifier's ranking is kept, and one threshold means the same in every base.

The probabilities come from the fold models themselves, averaged (a cross-validation
ensemble): the calibration was learned on the predictions of those very models, so it applies
to them. A model trained on all texts is sharper than the fold models, and calibrated with a
mapping learned on blunter ones its auto-answers at 0.9 on BANKING77 (docs/chatbot.md) were
right 94-95 % of the time against the 97 % promised. But with few phrasings each fold model
misses a quarter of an article's, so one more model, trained on every article text (not the
out-of-scope ones: it only orders), **orders** the articles (`ranked`): the best article is
that model's, its probability the fold
models' calibrated one for that article (where the two disagree, lower: fewer auto-answers,
not wrong ones). The cost: `FOLDS` + 1 models in memory (weights stored as float32: 5 x 4
bytes x (articles + 1) x features, up to about 500 MB at 500 articles and 10,000 texts, the
fold models' held once: side by side in one array, stacked.py) and a question's features times
those weights, one gather of the rows of its n-grams and one small dense product, then a
softmax per model (0.2 ms of CPU at 1,000 and 10,000 phrasings). Merging the fold models into
one by averaging their weights was tried and left out: 3 points of top-1 lost on the demo set
(0.943 -> 0.908).

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

from apps.knowledge.matching.blend import choose_weights, pool
from apps.knowledge.matching.stacked import StackedModels

FOLDS = 4
MIN_TEXTS = 10
MAX_ARTICLES = 500  # weights: 5 models x 4 bytes x (articles + 1) x features (~50k at 10k texts)
C = 10.0
# lbfgs until the gradient is small (scikit-learn's default tolerance): at 1e-3 it stopped
# after about 25 iterations at 10,000 phrasings, far from the optimum (BANKING77, all
# phrasings: semantic 0.922 -> 0.931, combined 0.938 -> 0.941 top-1; docs/chatbot.md). The
# TF-IDF block alone scores the same at 1e-3 (0.9127 against 0.9133) in 2.5x less time.
TOL, TFIDF_TOL = 1e-4, 1e-3
MAX_ITER = 1000
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


def _stack(parts: list, dtype=None) -> object:
    """The feature parts side by side (one part as it is), dense parts in `dtype` if given."""
    if dtype is not None:
        parts = [part if sparse.issparse(part) else np.asarray(part, dtype) for part in parts]
    if len(parts) == 1:
        return parts[0]
    return sparse.hstack([sparse.csr_matrix(part) for part in parts], format="csr")


def _fit(x, y: np.ndarray, tol: float = TOL) -> LogisticRegression:
    model = LogisticRegression(C=C, max_iter=MAX_ITER, tol=tol)
    # One BLAS thread: on small problems, threads fighting over shared cores cost 10x.
    with threadpool_limits(limits=1):
        model.fit(x, y)
    return model


def _tolerance(group: tuple[int, ...], x) -> float:
    """The TF-IDF block alone fits to the looser tolerance (TFIDF_TOL)."""
    return TFIDF_TOL if len(group) == 1 and sparse.issparse(x) else TOL


def _fit_kept(x, y: np.ndarray, tol: float) -> LogisticRegression:
    """A model to keep, its weights in float32 (several are kept: half the memory)."""
    model = _fit(x, y, tol)
    model.coef_ = model.coef_.astype(np.float32)
    return model


def _full_probabilities(model: LogisticRegression, x, classes: int) -> np.ndarray:
    """(texts, classes) probabilities, zero for classes the model was not trained on."""
    result = np.zeros((x.shape[0], classes))
    result[:, model.classes_] = model.predict_proba(x)
    return result


def _margins(log_odds: np.ndarray) -> np.ndarray:
    """Each article's log-odds less the best other article's (negative below the top)."""
    if log_odds.shape[-1] < 2:
        return np.zeros_like(log_odds)
    top_two = -np.partition(-log_odds, 1, axis=-1)[..., :2]
    best, runner_up = top_two[..., :1], top_two[..., 1:]
    return log_odds - np.where(log_odds >= best, runner_up, best)


@dataclass
class Platt:
    """P(right) = sigmoid(a * logit(p) + m * margin + b), with a > 0 and m >= 0 (monotone in the
    probability and in the lead over the runner-up); identity-like fallback."""

    a: float = 1.0
    b: float = 0.0
    m: float = 0.0
    samples: int = 0
    positives: int = 0
    stats: dict = field(default_factory=dict)

    def __call__(self, p: np.ndarray, margin: np.ndarray | None = None) -> np.ndarray:
        z = self.a * _logit(p) + self.b
        if margin is not None:
            z = z + self.m * margin
        return 1.0 / (1.0 + np.exp(-z))

    def articles(self, p: np.ndarray) -> np.ndarray:
        """(texts, articles) probabilities -> calibrated ones, each with its own margin."""
        return self(p, _margins(_logit(p)))


def fit_platt(p: np.ndarray, right: np.ndarray, margin: np.ndarray | None = None) -> Platt:
    """The Platt mapping from held-out top probabilities (and their margins over the
    runner-up) and whether each was right; weights kept non-negative."""
    positives = int(right.sum())
    if positives in (0, len(right)):
        return Platt(a=1.0, b=CONSERVATIVE_B, samples=len(right), positives=positives)
    columns = [_logit(p)] if margin is None else [_logit(p), margin]
    while columns:
        model = LogisticRegression(C=100.0, max_iter=1000)
        model.fit(np.column_stack(columns), right)
        weights = model.coef_[0]
        if weights[0] > 0 and (weights >= 0).all():
            m = float(weights[1]) if len(weights) > 1 else 0.0
            return Platt(
                a=float(weights[0]),
                b=float(model.intercept_[0]),
                m=m,
                samples=len(right),
                positives=positives,
            )
        columns = columns[:-1]  # a negative weight: drop the margin, then stay conservative
    return Platt(a=1.0, b=CONSERVATIVE_B, samples=len(right), positives=positives)


class ArticleClassifier:
    """The fold models over `articles` classes (+ none): one set on every feature block, or one
    set per block pooled by blend.py, whichever the held-out texts prefer; their calibration."""

    def __init__(
        self,
        vectors,
        docs: list[str],
        doc_article: np.ndarray,
        articles: int,
        out_of_scope: list[str],
    ) -> None:
        self.vectors = vectors  # texts -> feature parts (sparse or dense matrices)
        self.articles = articles
        parts = vectors([*docs, *out_of_scope])
        y = np.concatenate([doc_article, np.full(len(out_of_scope), articles)])
        splits = [
            (train, test)
            for train, test in KFold(n_splits=FOLDS, shuffle=True, random_state=SEED).split(y)
            if len(np.unique(y[train])) > 1
        ]
        predicted = np.concatenate([test for _train, test in splits]).astype(int)
        truth = y[predicted]
        # Every block in one model; with two blocks also one model each, pooled (blend.py):
        # whichever puts the right article first more often on the held-out texts.
        candidates: list[tuple[tuple[int, ...], ...]] = [(tuple(range(len(parts))),)]
        if len(parts) > 1:
            candidates.append(tuple((part,) for part in range(len(parts))))
        fitted: dict[tuple, tuple[list, np.ndarray]] = {}
        best: tuple | None = None
        for groups in candidates:
            for group in groups:
                if group not in fitted:
                    x = _stack([parts[part] for part in group])
                    fitted[group] = self._cross_validate(x, y, splits, _tolerance(group, x))
            held_out = [fitted[group][1][predicted] for group in groups]
            weights = choose_weights(held_out, truth, articles)
            pooled = pool(held_out, weights)
            right = int((pooled[:, :articles].argmax(axis=1) == truth).sum())
            if best is None or right > best[0]:
                best = (right, groups, weights, pooled)
        assert best is not None, "one candidate at least"
        _right, self.groups, self.weights, pooled = best
        self.models = [fitted[group][0] for group in self.groups]
        self.platt = self._calibrate(pooled, truth)
        widths = [[parts[part].shape[1] for part in group] for group in self.groups]
        self.stacked = [
            StackedModels(models, articles + 1, width)
            for models, width in zip(self.models, widths, strict=True)
        ]
        # The order of the articles: one more model per block on every article text (with
        # few phrasings each fold model misses a quarter of an article's), pooled with the
        # same weights. It only orders the articles, so it learns no "none of these" (whether
        # to answer is the calibrated fold models' call, with their none class).
        texts = len(docs)
        self.full = (
            [
                StackedModels(
                    [_fit_kept(x, doc_article, _tolerance(group, x))], articles + 1, width
                )
                for group, width in zip(self.groups, widths, strict=True)
                for x in [_stack([parts[part][:texts] for part in group])]
            ]
            if len(np.unique(doc_article)) > 1
            else None
        )
        self.texts = texts
        self.out_of_scope = len(out_of_scope)

    def _cross_validate(
        self, x, y: np.ndarray, splits: list, tol: float
    ) -> tuple[list, np.ndarray]:
        """One block's fold models and each text's probabilities from the model that did not
        see it; one model on everything when no fold had two classes."""
        classes = self.articles + 1
        probabilities = np.zeros((len(y), classes))
        models = []
        for train, test in splits:
            model = _fit_kept(x[train], y[train], tol)
            models.append(model)
            probabilities[test] = _full_probabilities(model, x[test], classes)
        return models or [_fit_kept(x, y, tol)], probabilities

    def _calibrate(self, probabilities: np.ndarray, y: np.ndarray) -> Platt:
        """The Platt mapping from the held-out probabilities of the best article."""
        in_articles = probabilities[:, : self.articles]
        best = np.argmax(in_articles, axis=1)
        rows = np.arange(len(y))
        tops = in_articles[rows, best]
        margins = _margins(_logit(in_articles))[rows, best]
        return fit_platt(tops, best == y, margins)

    def raw_probabilities(self, texts: list[str]) -> np.ndarray:
        """(texts, articles + 1) probabilities: each block's averaged over its fold models
        (stacked.py), the blocks pooled."""
        return self._pooled(self.stacked, self.vectors(texts))

    def _pooled(self, stacks: list[StackedModels], parts: list) -> np.ndarray:
        blocks = [
            stacked.probabilities([parts[part] for part in group])
            for stacked, group in zip(stacks, self.groups, strict=True)
        ]
        return pool(blocks, self.weights)

    def reference_probabilities(self, texts: list[str]) -> np.ndarray:
        """`raw_probabilities` through scikit-learn's `predict_proba`, model by model: the
        reference the fast path is tested against (slower: input checks on every call).
        Embeddings are taken in float64, as the fast path does (the models were trained on
        them in float32; in float32 scikit-learn's products differ from any other order of
        summation by about 1e-7)."""
        classes, parts = self.articles + 1, self.vectors(texts)
        blocks = []
        for models, group in zip(self.models, self.groups, strict=True):
            x = _stack([parts[part] for part in group], np.float64)
            blocks.append(np.mean([_full_probabilities(m, x, classes) for m in models], axis=0))
        return pool(blocks, self.weights)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(texts, articles) calibrated probabilities that each article answers each text."""
        return self.platt.articles(self.raw_probabilities(texts)[:, : self.articles])

    def ranked(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(calibrated probabilities, order) per text and article: the fold models'
        calibrated probabilities, and the model trained on every text's, which orders the
        articles (the best first)."""
        parts = self.vectors(texts)
        calibrated = self.platt.articles(self._pooled(self.stacked, parts)[:, : self.articles])
        if self.full is None:  # a single article: nothing to order
            return calibrated, calibrated
        return calibrated, self._pooled(self.full, parts)[:, : self.articles]

    def describe(self) -> dict:
        return {
            "fitted": True,
            "kind": "classifier",
            "samples": self.platt.samples,
            "positives": self.platt.positives,
            "out_of_scope_texts": self.out_of_scope,
            "models": sum(len(models) for models in self.models),
            "weights": [round(w, 2) for w in self.weights],
            "platt": [round(self.platt.a, 4), round(self.platt.m, 4), round(self.platt.b, 4)],
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

    def vectors(texts: list[str]) -> list:
        return [part.vectors(texts) for part in parts]

    return vectors
