"""The classifier's fold models as one weight matrix: a question's probabilities from one product.

A fitted scikit-learn `LogisticRegression.predict_proba` checks its input on every call
(types, finiteness, feature names through narwhals): about 1 ms a call for one question,
four times per question with the four fold models, more than the arithmetic itself. Here the
fold models' coefficients sit side by side in one (features, classes of every model) array,
one row per feature, so a question's sparse TF-IDF row gathers only the rows of its own
n-grams, and a dense embedding is one matrix product; each model's softmax (or sigmoid for
a model of two classes) is then taken over its own columns and the models averaged, as
`ArticleClassifier.reference_probabilities` does through scikit-learn (tested equal to 1e-9).

The features come in parts (the lexical TF-IDF block, the semantic embedding block, or both
for the combined matcher), each with its own rows of the weights, so they are never stacked
into one sparse matrix per question. The models' `coef_` become views of the shared array:
the weights are held once.
"""

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression


class StackedModels:
    """Averaged probabilities over `classes` of linear models trained on the same features."""

    def __init__(self, models: list[LogisticRegression], classes: int, widths: list[int]) -> None:
        self.classes = classes
        self.blocks: list[tuple[int, int, np.ndarray]] = []  # columns and classes of a model
        columns = 0
        for model in models:
            rows = model.coef_.shape[0]
            self.blocks.append((columns, columns + rows, np.asarray(model.classes_)))
            columns += rows
        dtype = np.result_type(*(model.coef_.dtype for model in models))
        weights = np.empty((sum(widths), columns), dtype=dtype)
        for (begin, end, _classes), model in zip(self.blocks, models, strict=True):
            weights[:, begin:end] = model.coef_.T
            model.coef_ = weights[:, begin:end].T  # a view: the weights held once
        self.weights = weights
        self.intercepts = np.concatenate([model.intercept_ for model in models]).astype(np.float64)
        offsets = np.cumsum([0, *widths])
        self.parts = [(int(offsets[i]), int(offsets[i + 1])) for i in range(len(widths))]
        # Dense parts (embeddings: a few hundred rows) are multiplied whole, in float64 as
        # scikit-learn does for float64 input; kept converted once.
        self._dense: dict[int, np.ndarray] = {}

    def _part_weights(self, part: int) -> np.ndarray:
        if part not in self._dense:
            begin, end = self.parts[part]
            self._dense[part] = np.ascontiguousarray(self.weights[begin:end], dtype=np.float64)
        return self._dense[part]

    def decisions(self, parts: list) -> np.ndarray:
        """(texts, columns) decision values of every model for the feature parts."""
        texts = parts[0].shape[0]
        result = np.tile(self.intercepts, (texts, 1))
        for position, block in enumerate(parts):
            begin, _end = self.parts[position]
            if sparse.issparse(block):
                block = sparse.csr_matrix(block)
                for row in range(texts):
                    cells = slice(block.indptr[row], block.indptr[row + 1])
                    gathered = self.weights[begin + block.indices[cells]]
                    result[row] += block.data[cells].astype(np.float64) @ gathered
            else:
                result += np.asarray(block, dtype=np.float64) @ self._part_weights(position)
        return result

    def probabilities(self, parts: list) -> np.ndarray:
        """(texts, classes) probabilities averaged over the models, zero for a class a model
        was not trained on."""
        decisions = self.decisions(parts)
        total = np.zeros((decisions.shape[0], self.classes))
        for begin, end, classes in self.blocks:
            values = decisions[:, begin:end]
            if end - begin == 1:  # two classes: scikit-learn's sigmoid of one column
                positive = 1.0 / (1.0 + np.exp(-values[:, 0]))
                total[:, classes] += np.column_stack([1.0 - positive, positive])
            else:
                exp = np.exp(values - values.max(axis=1, keepdims=True))
                total[:, classes] += exp / exp.sum(axis=1, keepdims=True)
        return total / len(self.blocks)
