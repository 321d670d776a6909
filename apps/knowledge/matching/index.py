"""The matching index: built from the published articles, cached per process by KB version.

Every call to `get_index` asks the database for the knowledge base's version, one query of
single-row aggregates (published articles, the last article id and update time, the last
phrasing id, the out-of-scope questions'). When it differs from the cached index's, the
process rebuilds its index, so web and worker processes pick up an edited base on their next
call, without a restart and without a message between them. A phrasing saved or deleted
touches its article's `updated_at` (signals.py); a phrasing changed or deleted by a queryset
`update()` or by SQL (no signal, no new id) is the edit this does not see.

The version is read before the articles; an edit in between gives an index newer than its
version, which only causes one rebuild more on the next call, never a stale answer.
"""

import threading
import time
from dataclasses import dataclass

import numpy as np
from django.db import connection
from threadpoolctl import ThreadpoolController

from apps.knowledge.matching.calibration import (
    Calibrator,
    article_scores,
    features,
    fit_calibrator,
)
from apps.knowledge.matching.classifier import (
    ArticleClassifier,
    classifier_reason,
    default_out_of_scope,
    features_of,
)
from apps.knowledge.models import Article, OutOfScopeQuestion, Phrasing

MATCHERS = ("lexical", "semantic", "combined")

_cache: dict[str, "MatchIndex"] = {}
_lock = threading.Lock()
_blas: ThreadpoolController | None = None


def _one_blas_thread():
    """A question's products on one BLAS thread: OpenBLAS splits a product as small as one
    embedding times 10,000 (0.3 ms on one thread) over both cores, and on this shared machine
    waits for the second one: 40 ms of wall time and 7 ms of CPU at load 10 (2026-12-05)."""
    global _blas
    if _blas is None:
        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def _version_sql() -> str:
    article, phrasing, out_of_scope = (
        connection.ops.quote_name(model._meta.db_table)
        for model in (Article, Phrasing, OutOfScopeQuestion)
    )
    return (
        "SELECT * FROM (SELECT COUNT(CASE WHEN published THEN 1 END), MAX(id), MAX(updated_at)"
        f" FROM {article}) a,"
        f" (SELECT MAX(id) FROM {phrasing}) p,"
        f" (SELECT COUNT(*), MAX(id), MAX(updated_at) FROM {out_of_scope}) o"
    )


def knowledge_version() -> tuple:
    """What changes whenever the published knowledge base or its out-of-scope questions do:
    the count, last id and last update of the articles and of the out-of-scope questions, and
    the last phrasing id, in one query (asked on every suggestion). A phrasing added has a
    higher id; one edited or deleted through the ORM (queryset deletes included: the signal
    handlers make Django delete row by row) touches its article's `updated_at`. Not counting
    the phrasings keeps it O(1): at 10,000 phrasings PostgreSQL spent 3.2 ms on the former
    join of articles and phrasings, 1.0 ms on a count of the phrasings, 0.1 ms on this."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        return tuple(cursor.fetchone())


@dataclass(frozen=True)
class Snapshot:
    """The published articles and their texts (question first, then distinct phrasings)."""

    version: tuple
    article_ids: np.ndarray
    keys: list[str]
    languages: list[str]
    docs: list[str]
    doc_article: np.ndarray  # article position of each text
    starts: np.ndarray  # position of each article's first text
    out_of_scope: list[str]  # the base's out-of-scope questions, then the default ones


def load_snapshot(version: tuple) -> Snapshot:
    articles = list(
        Article.objects.filter(published=True)
        .order_by("pk")
        .values_list("pk", "key", "question", "language")
    )
    phrasings: dict[int, list[str]] = {}
    for article_id, text in (
        Phrasing.objects.filter(article__published=True)
        .order_by("article_id", "pk")
        .values_list("article_id", "text")
    ):
        phrasings.setdefault(article_id, []).append(text)
    docs, doc_article, starts = [], [], []
    for position, (pk, _key, question, _language) in enumerate(articles):
        starts.append(len(docs))
        seen = set()
        for text in [question, *phrasings.get(pk, [])]:
            if text.strip() and text.strip().lower() not in seen:
                seen.add(text.strip().lower())
                docs.append(text)
                doc_article.append(position)
    own = list(OutOfScopeQuestion.objects.order_by("pk").values_list("text", flat=True))
    return Snapshot(
        version=version,
        out_of_scope=[*own, *default_out_of_scope()],
        article_ids=np.array([a[0] for a in articles], dtype=np.int64),
        keys=[a[1] for a in articles],
        languages=[a[3].lower() for a in articles],
        docs=docs,
        doc_article=np.array(doc_article, dtype=np.int64),
        starts=np.array(starts, dtype=np.int64),
    )


def _scorer(matcher: str, docs: list[str]):
    if matcher == "lexical":
        from apps.knowledge.matching.lexical import LexicalScorer

        return LexicalScorer(docs)
    if matcher == "semantic":
        from apps.knowledge.matching.semantic import SemanticScorer

        return SemanticScorer(docs)
    from apps.knowledge.matching.combined import CombinedScorer

    return CombinedScorer(docs)


@dataclass
class MatchIndex:
    """One matcher's scorer and calibrator over one snapshot."""

    matcher: str
    snapshot: Snapshot
    scorer: object | None
    calibrator: Calibrator
    build_seconds: float
    classifier: ArticleClassifier | None = None

    def describe(self) -> dict:
        """How the index scores: its classifier, or the nearest-phrasing calibration."""
        if self.classifier is not None:
            return self.classifier.describe()
        return {"kind": "nearest phrasing", **self.calibrator.describe()}

    def probabilities(self, text: str, sims: np.ndarray, positions: np.ndarray):
        """(probabilities, order, tie-breaking scores) of the articles at `positions`: the
        classifier orders by its model trained on every text (classifier.py), the
        nearest-phrasing scorer by its probabilities."""
        scores = article_scores(sims, self.snapshot.starts)[:, 0, :]  # (c, articles)
        feats = features(scores[:, positions][:, None, :])[0]  # (allowed, f)
        mean_scores = feats[:, 0::2].mean(axis=1)
        if self.classifier is not None:
            calibrated, order = self.classifier.ranked([text])
            return calibrated[0, positions], order[0, positions], mean_scores
        probabilities = self.calibrator.probabilities(feats)
        return probabilities, probabilities, mean_scores

    def allowed(self, language: str | None, exclude) -> np.ndarray:
        """Articles to consider: of `language` if the base has any in it, less `exclude`."""
        snapshot = self.snapshot
        mask = np.ones(len(snapshot.keys), dtype=bool)
        if language:
            wanted = language.lower().split("-")[0]
            in_language = np.array([lang.split("-")[0] == wanted for lang in snapshot.languages])
            if in_language.any():
                mask = in_language
        if exclude:
            mask &= ~np.isin(snapshot.article_ids, np.fromiter(exclude, dtype=np.int64))
        return mask

    def rank(self, text: str, allowed: np.ndarray, limit: int) -> list[tuple[int, float, int]]:
        """(article position, probability, best text position) of the best allowed articles."""
        if self.scorer is None or not allowed.any() or limit <= 0:
            return []
        with _one_blas_thread():
            sims = self.scorer.similarities([text])  # (c, 1, docs)
            positions = np.flatnonzero(allowed)
            probabilities, ranking, mean_scores = self.probabilities(text, sims, positions)
        order = np.lexsort((-mean_scores, -probabilities, -ranking))[:limit]
        doc_scores = sims[:, 0, :].mean(axis=0)
        result = []
        for i in order:
            article = int(positions[i])
            begin = self.snapshot.starts[article]
            end = (
                self.snapshot.starts[article + 1]
                if article + 1 < len(self.snapshot.starts)
                else len(self.snapshot.docs)
            )
            best_doc = begin + int(np.argmax(doc_scores[begin:end]))
            result.append((article, float(probabilities[i]), best_doc))
        return result


def build_index(matcher: str, snapshot: Snapshot) -> MatchIndex:
    """The scorer over the snapshot's texts and its calibration (timed)."""
    started = time.perf_counter()
    if not snapshot.docs:
        return MatchIndex(matcher, snapshot, None, Calibrator(reason="no articles"), 0.0)
    scorer = _scorer(matcher, snapshot.docs)
    if classifier_reason(len(snapshot.docs), len(snapshot.keys)):
        calibrator = fit_calibrator(
            scorer.similarities, snapshot.docs, snapshot.doc_article, snapshot.starts
        )
        return MatchIndex(matcher, snapshot, scorer, calibrator, time.perf_counter() - started)
    classifier = ArticleClassifier(
        features_of(scorer),
        snapshot.docs,
        snapshot.doc_article,
        len(snapshot.keys),
        snapshot.out_of_scope,
    )
    calibrator = Calibrator(reason="the classifier calibrates itself")
    elapsed = time.perf_counter() - started
    return MatchIndex(matcher, snapshot, scorer, calibrator, elapsed, classifier)


def check_matcher(matcher: str) -> None:
    if matcher not in MATCHERS:
        raise ValueError(f'Unknown matcher "{matcher}"; one of {", ".join(MATCHERS)}.')


def get_index(matcher: str) -> MatchIndex:
    """The process's index for `matcher`, rebuilt when the knowledge base's version moved."""
    check_matcher(matcher)
    version = knowledge_version()
    if matcher != "lexical":  # a newly tuned sentence model changes every embedding
        from apps.knowledge.matching.semantic import model_stamp

        version += (model_stamp(),)
    index = _cache.get(matcher)
    if index is not None and index.snapshot.version == version:
        return index
    with _lock:  # one build per process at a time; the others wait and reuse it
        index = _cache.get(matcher)
        if index is None or index.snapshot.version != version:
            index = build_index(matcher, load_snapshot(version))
            _cache[matcher] = index
    return index


def clear_cache() -> None:
    """Forget every built index (the next call rebuilds); for tests and evaluations."""
    with _lock:
        _cache.clear()
