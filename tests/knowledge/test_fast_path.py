"""The fast path of a question gives what scikit-learn gives: the TF-IDF row, the stacked fold
models' probabilities (sparse, dense and both parts; models of two classes, or missing one)."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from apps.knowledge.matching import classifier as learning
from apps.knowledge.matching.lexical import LexicalScorer
from apps.knowledge.matching.stacked import StackedModels
from tests.knowledge.intent_base import held_out, training
from tests.knowledge.test_classifier import trained  # noqa: F401  the fixture: our base, lexical

QUESTIONS = [
    "I can't remember my password!",
    "VPN连不上",
    "打印机坏了\uff0c怎么办\uff1f",  # full-width comma and question mark
    "\uff26\uff55\uff4c\uff4c width \uff36\uff30\uff2e",  # full-width letters, NFKC
    "zzqx unknown words only",
    "",
    "   ",
    "?!",
]


def _questions():
    return QUESTIONS + [text for text, _key in held_out()]


def test_the_tfidf_rows_are_scikit_learns(trained):  # noqa: F811  the fixture
    scorer, _classifier, _labels, _keys = trained
    questions = _questions()
    fast, reference = scorer.vectors(questions), scorer.reference_vectors(questions)
    assert fast.shape == reference.shape
    assert abs(fast - reference).max() < 1e-12
    assert (fast.getnnz(axis=1) == reference.getnnz(axis=1)).all()
    for question in QUESTIONS:
        assert abs(scorer.vectors([question]) - scorer.reference_vectors([question])).max() < 1e-12


def test_the_classifiers_probabilities_are_scikit_learns(trained):  # noqa: F811  the fixture
    _scorer, classifier, _labels, _keys = trained
    questions = _questions()
    reference = classifier.reference_probabilities(questions)
    assert np.abs(classifier.raw_probabilities(questions) - reference).max() < 1e-9
    one_by_one = np.vstack([classifier.raw_probabilities([q]) for q in questions])
    assert np.abs(one_by_one - reference).max() < 1e-9
    assert np.allclose(reference.sum(axis=1), 1.0)


def test_the_order_comes_from_a_model_trained_on_every_text(trained):  # noqa: F811  the fixture
    """The articles are ordered by one model fitted on every article text (with 10 phrasings
    an article each fold model misses a quarter of them), without the out-of-scope texts; the
    probabilities stay the calibrated fold models' (their calibration was learned on those
    models' held-out predictions, with the none class)."""
    scorer, classifier, labels, keys = trained
    texts, _labels, _keys = training()
    model = LogisticRegression(C=learning.C, tol=learning.TFIDF_TOL, max_iter=learning.MAX_ITER)
    model.fit(scorer.vectors(texts), labels)
    every_text = model.predict_proba(scorer.vectors(_questions()))
    assert list(model.classes_) == list(range(len(keys)))
    calibrated, order = classifier.ranked(_questions())
    assert np.abs(order - every_text).max() < 1e-5
    assert np.abs(calibrated - classifier.probabilities(_questions())).max() < 1e-12
    # Not the fold models' average: the model on every text is another (sharper) model.
    folds = classifier.raw_probabilities(_questions())[:, : len(keys)]
    assert np.abs(order - folds).max() > 0.01


def test_a_base_of_one_article_is_ordered_by_its_calibrated_probability():
    texts, labels, _keys = training()
    first = [text for text, label in zip(texts, labels, strict=True) if label == 0]
    scorer = LexicalScorer(first)
    classifier = learning.ArticleClassifier(
        learning.features_of(scorer),
        first,
        np.zeros(len(first), dtype=int),
        1,
        learning.default_out_of_scope(),
    )
    assert classifier.full is None
    calibrated, order = classifier.ranked([first[0], "what is the weather tomorrow"])
    assert calibrated.shape == (2, 1) and (order == calibrated).all()
    assert calibrated[0, 0] > calibrated[1, 0]


def _reference(models, x, classes):
    result = np.zeros((x.shape[0], classes))
    for model in models:
        result[:, model.classes_] += model.predict_proba(x)
    return result / len(models)


def test_stacked_models_of_sparse_and_dense_parts_with_missing_and_binary_classes():
    rng = np.random.default_rng(7)
    lexical = sparse.random(60, 40, density=0.2, format="csr", random_state=1)
    embedded = rng.standard_normal((60, 8)).astype(np.float32)
    x = sparse.hstack([lexical, sparse.csr_matrix(embedded.astype(np.float64))], format="csr")
    y = np.arange(60) % 5
    models = [
        LogisticRegression(C=10.0, max_iter=300).fit(x, y),
        LogisticRegression(C=10.0, max_iter=300).fit(x[y != 3], y[y != 3]),  # class 3 unseen
        LogisticRegression(C=10.0, max_iter=300).fit(x[y < 2], y[y < 2]),  # two classes
    ]
    models[0].coef_ = models[0].coef_.astype(np.float32)  # as the fold models are kept
    queries_lexical = sparse.random(9, 40, density=0.3, format="csr", random_state=2)
    queries_embedded = rng.standard_normal((9, 8)).astype(np.float32)
    queries = sparse.hstack(
        [queries_lexical, sparse.csr_matrix(queries_embedded.astype(np.float64))], format="csr"
    )
    reference = _reference(models, queries, 5)
    stacked = StackedModels(models, 5, [40, 8])
    fast = stacked.probabilities([queries_lexical, queries_embedded])
    assert np.abs(fast - reference).max() < 1e-9
    only_first = models[0].predict_proba(queries)[:, 3] / len(models)  # the others lack it
    assert np.abs(fast[:, 3] - only_first).max() < 1e-9
    # the models now read the stacked weights: scikit-learn still gives the same answers
    assert np.abs(_reference(models, queries, 5) - reference).max() < 1e-12


def test_stacked_models_of_one_dense_part():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((80, 16))
    y = np.arange(80) % 4
    models = [LogisticRegression(max_iter=300).fit(x[i::2], y[i::2]) for i in range(2)]
    queries = rng.standard_normal((5, 16))
    reference = _reference(models, queries, 4)
    fast = StackedModels(models, 4, [16]).probabilities([queries])
    assert np.abs(fast - reference).max() < 1e-9


class CountingModel:
    """Stands for the sentence model: counts the texts it encodes."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts, **kwargs):
        self.encoded += texts
        vectors = np.array([[len(text) + 1.0, 1.0] for text in texts])
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_a_recent_question_is_not_encoded_again():
    pytest.importorskip("torch")  # a question is encoded on one torch thread
    from apps.knowledge.matching import semantic

    model = CountingModel()
    scorer = semantic.SemanticScorer([f"text {i}" for i in range(20)], model)
    first = scorer.embed(["my vpn"])
    scorer.similarities(["my vpn"])
    scorer.embed(["another question"])
    assert np.array_equal(scorer.embed(["my vpn"]), first)
    assert model.encoded[20:] == ["my vpn", "another question"]
    for i in range(semantic.RECENT_QUESTIONS):
        scorer.embed([f"question {i}"])
    scorer.embed(["my vpn"])  # pushed out by the newer ones: encoded again
    assert model.encoded[-1] == "my vpn"
