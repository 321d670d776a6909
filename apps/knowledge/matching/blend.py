"""The combined matcher's blend: one classifier per feature block, pooled with a weight chosen on
the base itself.

One logistic regression over the TF-IDF block and the embedding block side by side shares one
regularisation between a few hundred dense dimensions and tens of thousands of sparse ones; on
BANKING77 it scored below the semantic classifier alone with 10 phrasings an article (0.837
against 0.840 on a split of the test file) and 0.941 with all of them, while on the demo base
(English and Chinese, where the embeddings are weak) it is the better one. So the classifier
cross-validates both and keeps the better (classifier.py). In the blend each block gets its own
fold models and their probabilities are pooled log-linearly,

    p(article) ∝ p_lexical(article) ** w * p_semantic(article) ** (1 - w),

with `w` the share in `SHARES` whose pooled held-out probabilities, on the same folds, put the
right article first most often (the lower share on a tie). The calibration is then learned on
the pooled held-out probabilities, as for one block. Measured on BANKING77 (docs/chatbot.md):
with 10 phrasings an article the base chose the pool (0.856 top-1); with all of them the one
model (0.941; the pool scored 0.944 in a scratch run).
"""

import numpy as np

# The first block's (lexical) share in the pool, tried in order.
SHARES = tuple(round(share / 10, 1) for share in range(11))
TINY = 1e-12


def pool(probabilities: list[np.ndarray], weights: list[float]) -> np.ndarray:
    """The blocks' (texts, classes) probabilities pooled log-linearly and normalised; one block
    as it is."""
    if len(probabilities) == 1:
        return probabilities[0]
    log = np.zeros_like(probabilities[0])
    for weight, block in zip(weights, probabilities, strict=True):
        log += weight * np.log(block + TINY)
    log -= log.max(axis=1, keepdims=True)
    pooled = np.exp(log)
    return pooled / pooled.sum(axis=1, keepdims=True)


def choose_weights(held_out: list[np.ndarray], truth: np.ndarray, articles: int) -> list[float]:
    """The blocks' weights: the two-block share whose pooled held-out probabilities are right
    most often on the articles' own texts (`truth` < `articles`); one block: [1.0]."""
    if len(held_out) == 1:
        return [1.0]
    if len(held_out) != 2:  # the features come as one block or two
        return [1.0 / len(held_out)] * len(held_out)
    own = truth < articles
    best, best_right = [0.5, 0.5], -1
    for share in SHARES:
        weights = [share, 1.0 - share]
        pooled = pool([p[own] for p in held_out], weights)
        right = int((pooled[:, :articles].argmax(axis=1) == truth[own]).sum())
        if right > best_right:
            best, best_right = weights, right
    return best
