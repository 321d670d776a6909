"""The lexical matcher: word and character n-gram TF-IDF, no model download, no segmenter.

Chinese has no spaces between words, so the word analyzer takes each CJK character as a token
of its own (its word bigrams are then character bigrams, which cover most two-character
Chinese words) and Latin letters and digits as whole words, also inside Chinese text ("VPN连
不上" gives "vpn", "连", "不", "上"). Character n-grams within words (2 to 4) add tolerance for
typos and inflections ("password"/"passwords"). Both parts are L2-normalised and weighted
equally, so a cosine is the mean of the word and the character cosines.
"""

import unicodedata
from collections import Counter

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN_PATTERN = rf"[{_CJK}]|[^\W_{_CJK}]+"
_HALF = np.sqrt(0.5)


def normalize_text(text: str) -> str:
    """NFKC (full-width letters and punctuation to their usual forms), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


class _Transform:
    """A fitted TfidfVectorizer's `transform` of one text, without scikit-learn's per-call
    checks (a millisecond a call): its analyzer, vocabulary and idf, sublinear tf, L2 norm;
    tested equal to scikit-learn's to 1e-12."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int) -> None:
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.idf = vectorizer.idf_
        self.offset = offset

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(sorted column indices, values) of the text's row, scaled by 1/sqrt(2)."""
        vocabulary = self.vocabulary
        counts = Counter(vocabulary[g] for g in self.analyze(text) if g in vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        columns = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
        tf = np.fromiter((counts[c] for c in columns), dtype=np.float64, count=len(counts))
        values = (np.log(tf) + 1.0) * self.idf[columns]
        values *= _HALF / np.sqrt(values @ values)
        return columns + self.offset, values


class LexicalScorer:
    """Cosine similarities of texts to the indexed texts in the TF-IDF space."""

    channels = ("lexical",)

    def __init__(self, docs: list[str]) -> None:
        self.word = TfidfVectorizer(
            preprocessor=normalize_text,
            token_pattern=TOKEN_PATTERN,
            ngram_range=(1, 2),
            sublinear_tf=True,
        )
        self.char = TfidfVectorizer(
            preprocessor=normalize_text,
            analyzer="char_wb",
            ngram_range=(2, 4),
            sublinear_tf=True,
        )
        self.matrix = self._stack(self.word.fit_transform(docs), self.char.fit_transform(docs))
        # Transposed once, row-major: a text's row times this is a sparse product that costs
        # what the text's n-grams touch (ten times faster than through `matrix.T` at 10k texts).
        self.by_feature = self.matrix.T.tocsr()
        self._transforms = (
            _Transform(self.word, 0),
            _Transform(self.char, len(self.word.vocabulary_)),
        )
        self._last: tuple[tuple[str, ...], sparse.csr_matrix | None] = ((), None)

    @staticmethod
    def _stack(word, char) -> sparse.csr_matrix:
        return sparse.hstack([word * _HALF, char * _HALF], format="csr")

    def vectors(self, texts: list[str]) -> sparse.csr_matrix:
        """The texts' TF-IDF rows; the last call's are reused (a suggestion asks twice: for
        the nearest phrasing and for the classifier's features)."""
        key = tuple(texts)
        last = self._last
        if last[0] == key and last[1] is not None:
            return last[1]
        vectors = self._rows(texts)
        self._last = (key, vectors)
        return vectors

    def forget(self) -> None:
        """Drop the last call's rows (for benchmarks timing a question's first pass)."""
        self._last = ((), None)

    def _rows(self, texts: list[str]) -> sparse.csr_matrix:
        indices, data, indptr = [], [], [0]
        for text in texts:
            for transform in self._transforms:
                columns, values = transform.row(text)
                indices.append(columns)
                data.append(values)
            indptr.append(indptr[-1] + sum(len(part) for part in indices[-2:]))
        return sparse.csr_matrix(
            (np.concatenate(data), np.concatenate(indices), np.array(indptr)),
            shape=(len(texts), self.matrix.shape[1]),
        )

    def reference_vectors(self, texts: list[str]) -> sparse.csr_matrix:
        """`vectors` through scikit-learn's transform: the reference of the fast path."""
        return self._stack(self.word.transform(texts), self.char.transform(texts))

    def similarities(self, texts: list[str]) -> np.ndarray:
        """(1 channel, len(texts), indexed texts) cosine similarities in [0, 1]."""
        product = self.vectors(texts) @ self.by_feature
        return np.asarray(product.toarray(), dtype=np.float64)[None]
