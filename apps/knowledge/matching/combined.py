"""The combined matcher: lexical and semantic similarities side by side as two channels.

It does not average the two scores with a fixed weight: each channel gives its score and
margin, and the calibration's logistic regression, fitted on the knowledge base's own
self-matching (see calibration.py), learns how much each counts. Where the embeddings are weak
(Chinese, product names) the lexical channel carries the decision, and the other way round
for paraphrases that share few words.
"""

import numpy as np

from apps.knowledge.matching.lexical import LexicalScorer
from apps.knowledge.matching.semantic import SemanticScorer


class CombinedScorer:
    """Similarities of the lexical and the semantic scorer, stacked as two channels."""

    channels = LexicalScorer.channels + SemanticScorer.channels

    def __init__(self, docs: list[str], model=None) -> None:
        self.parts = (LexicalScorer(docs), SemanticScorer(docs, model))

    def similarities(self, texts: list[str]) -> np.ndarray:
        """(2 channels, len(texts), indexed texts)."""
        return np.concatenate([part.similarities(texts) for part in self.parts], axis=0)
