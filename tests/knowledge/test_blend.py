"""The combined matcher's blend (blend.py): each feature block its own fold models, pooled with a
share chosen on the base's held-out texts; the fast path equal to scikit-learn's answers."""

import zlib

import numpy as np
from scipy import sparse

from apps.knowledge.matching.blend import SHARES, choose_weights, pool
from apps.knowledge.matching.classifier import ArticleClassifier, default_out_of_scope
from apps.knowledge.matching.lexical import LexicalScorer
from tests.knowledge.intent_base import BASE_OUT_OF_SCOPE, held_out, training


def test_one_block_is_its_own_pool_and_a_pool_is_a_distribution():
    rng = np.random.default_rng(1)
    first = rng.dirichlet(np.ones(5), size=4)
    second = rng.dirichlet(np.ones(5), size=4)
    assert pool([first], [1.0]) is first
    pooled = pool([first, second], [0.3, 0.7])
    assert np.allclose(pooled.sum(axis=1), 1.0)
    assert np.allclose(pool([first, second], [1.0, 0.0]), first / first.sum(axis=1, keepdims=True))
    expected = first**0.3 * second**0.7
    assert np.allclose(pooled, expected / expected.sum(axis=1, keepdims=True), atol=1e-9)


def test_the_share_goes_to_the_block_that_is_right():
    truth = np.arange(40) % 4
    right = np.full((40, 5), 0.05)
    right[np.arange(40), truth] = 0.8
    wrong = np.full((40, 5), 0.05)
    wrong[np.arange(40), (truth + 1) % 4] = 0.8
    weights = choose_weights([wrong, right], truth, articles=4)
    assert weights[1] > weights[0]
    assert weights[0] in SHARES
    assert (pool([wrong, right], weights)[:, :4].argmax(axis=1) == truth).all()
    # the other way round, the first block gets the share
    assert choose_weights([right, wrong], truth, articles=4)[0] > 0.5
    assert choose_weights([right], truth, articles=4) == [1.0]


class TwoBlocks:
    """A lexical block and a dense block of noise (one random vector per text, the same on
    every call): the second block knows nothing of the articles."""

    def __init__(self, texts: list[str]) -> None:
        self.lexical = LexicalScorer(texts)

    def __call__(self, texts: list[str]) -> list:
        noise = np.vstack(
            [np.random.default_rng(zlib.crc32(text.encode())).standard_normal(16) for text in texts]
        ).astype(np.float32)
        return [self.lexical.vectors(texts), noise]


def test_a_blend_of_two_blocks_trusts_the_one_that_knows_and_its_fast_path_is_exact():
    texts, labels, keys = training()
    vectors = TwoBlocks(texts)
    classifier = ArticleClassifier(
        vectors, texts, np.array(labels), len(keys), BASE_OUT_OF_SCOPE + default_out_of_scope()
    )
    assert len(classifier.models) == 2
    assert classifier.weights[0] >= 0.5  # the lexical block's share
    cases = held_out()
    questions = [text for text, _ in cases]
    reference = classifier.reference_probabilities(questions)
    assert np.abs(classifier.raw_probabilities(questions) - reference).max() < 1e-9
    assert np.allclose(reference.sum(axis=1), 1.0)
    expected = np.array([keys.index(key) if key else -1 for _, key in cases])
    answerable = expected >= 0
    best = classifier.probabilities(questions).argmax(axis=1)
    assert (best[answerable] == expected[answerable]).mean() >= 0.9
    assert sparse.issparse(vectors(questions[:2])[0])
