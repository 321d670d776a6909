"""The learning matcher on our own English and Chinese base: held-out accuracy against nearest
phrasing, out-of-scope questions, calibration, retraining on an edit."""

import numpy as np
import pytest
from django.conf import settings

from apps.knowledge.matching import suggest
from apps.knowledge.matching.calibration import article_scores
from apps.knowledge.matching.classifier import (
    ArticleClassifier,
    default_out_of_scope,
    features_of,
    fit_platt,
)
from apps.knowledge.matching.lexical import LexicalScorer
from apps.knowledge.models import Article, OutOfScopeQuestion, Phrasing
from tests.knowledge.intent_base import ARTICLES, BASE_OUT_OF_SCOPE, held_out, training

THRESHOLD = 0.75


@pytest.fixture(scope="module")
def trained():
    texts, labels, keys = training()
    scorer = LexicalScorer(texts)
    out_of_scope = BASE_OUT_OF_SCOPE + default_out_of_scope()
    classifier = ArticleClassifier(
        features_of(scorer), texts, np.array(labels), len(keys), out_of_scope
    )
    return scorer, classifier, labels, keys


def _cases(keys):
    cases = held_out()
    return [text for text, _ in cases], np.array([keys.index(k) if k else -1 for _, k in cases])


def test_the_default_out_of_scope_set_has_english_and_chinese():
    texts = default_out_of_scope()
    assert sum(text.isascii() for text in texts) >= 40
    assert sum(not text.isascii() for text in texts) >= 40


def test_the_classifier_beats_nearest_phrasing_on_held_out_phrasings(trained):
    scorer, classifier, labels, keys = trained
    texts, expected = _cases(keys)
    in_scope = expected >= 0
    starts = np.array([labels.index(i) for i in range(len(keys))])
    nearest = article_scores(scorer.similarities(texts), starts)[0].argmax(axis=1)
    learned = classifier.probabilities(texts).argmax(axis=1)
    nearest_accuracy = (nearest[in_scope] == expected[in_scope]).mean()
    learned_accuracy = (learned[in_scope] == expected[in_scope]).mean()
    assert learned_accuracy > nearest_accuracy
    assert learned_accuracy >= 0.95


def test_out_of_scope_questions_are_not_answered_and_answers_are_right(trained):
    _scorer, classifier, _labels, keys = trained
    texts, expected = _cases(keys)
    probabilities = classifier.probabilities(texts)
    best, top = probabilities.argmax(axis=1), probabilities.max(axis=1)
    assert (top[expected < 0] < THRESHOLD).all()
    answered = top >= THRESHOLD
    assert answered[expected >= 0].mean() >= 0.8  # coverage of the answerable ones
    assert (best[answered] == expected[answered]).all()  # precision 1 on this small set


def test_at_the_default_threshold_answers_are_right_and_out_of_scope_is_not_answered(trained):
    _scorer, classifier, _labels, keys = trained
    texts, expected = _cases(keys)
    probabilities = classifier.probabilities(texts)
    best, top = probabilities.argmax(axis=1), probabilities.max(axis=1)
    answered = top >= settings.SERVICEDESK_CHATBOT_THRESHOLD
    assert not answered[expected < 0].any()
    assert answered[expected >= 0].mean() >= 0.6  # coverage, English and Chinese
    assert (best[answered] == expected[answered]).all()
    chinese = np.array([not text.isascii() for text in texts])
    assert answered[chinese & (expected >= 0)].any()


def test_calibration_is_monotone(trained):
    _scorer, classifier, _labels, _keys = trained
    platt = classifier.platt
    assert platt.a > 0 and platt.m >= 0
    grid = np.linspace(0.001, 0.999, 200)
    for margin in (-2.0, 0.0, 3.0):
        mapped = platt(grid, np.full_like(grid, margin))
        assert (np.diff(mapped) > 0).all()
        assert mapped.min() > 0 and mapped.max() < 1
    leads = platt(np.full(50, 0.6), np.linspace(-5, 5, 50))
    assert (np.diff(leads) >= 0).all()


def test_calibration_keeps_the_classifiers_ranking(trained):
    _scorer, classifier, _labels, keys = trained
    texts, _expected = _cases(keys)
    raw = classifier.raw_probabilities(texts)[:, : len(keys)]
    calibrated = classifier.probabilities(texts)
    assert (raw.argmax(axis=1) == calibrated.argmax(axis=1)).all()
    for row_raw, row_calibrated in zip(raw, calibrated, strict=True):
        order = np.argsort(row_raw)
        assert (np.diff(row_calibrated[order]) >= -1e-12).all()


def test_a_margin_that_predicts_wrong_answers_is_not_rewarded():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.95, 400)
    right = rng.uniform(size=400) < p
    margin = np.where(right, -1.0, 1.0) + rng.normal(0, 0.1, 400)  # anti-correlated
    platt = fit_platt(p, right, margin)
    assert platt.a > 0 and platt.m == 0


def test_a_calibration_without_signal_stays_conservative():
    platt = fit_platt(np.array([0.9, 0.8, 0.2, 0.1]), np.array([False] * 4))
    assert platt(np.array([0.99]))[0] < 0.9


@pytest.fixture
def base(db):
    for key, (language, train, _held) in ARTICLES.items():
        article = Article.objects.create(
            key=key, question=train[0], answer=f"The answer about {key}.", language=language
        )
        Phrasing.objects.bulk_create(Phrasing(article=article, text=t) for t in train[1:])
    OutOfScopeQuestion.objects.bulk_create(OutOfScopeQuestion(text=t) for t in BASE_OUT_OF_SCOPE)


def test_suggest_uses_the_classifier_and_retrains_on_an_edit(base):
    text = "I lost the key of my locker"
    before = suggest(text)
    assert not before or before[0].score < THRESHOLD
    article = Article.objects.create(key="locker", question="I lost my locker key", answer="-")
    Phrasing.objects.create(article=article, text="locker key lost")
    Phrasing.objects.create(article=article, text="need a new key for my locker")
    after = suggest(text)
    assert after[0].key == "locker" and after[0].score >= THRESHOLD


def test_an_out_of_scope_question_added_to_the_base_is_learned(base):
    text = "is the gym open on sundays"
    OutOfScopeQuestion.objects.create(text=text)
    matches = suggest(text)
    assert not matches or matches[0].score < 0.3
