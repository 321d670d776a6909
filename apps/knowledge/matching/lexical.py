"""The lexical matcher: word and character n-gram TF-IDF, no model download, no segmenter.

Chinese has no spaces between words, so the word analyzer takes each CJK character as a token
of its own (its word bigrams are then character bigrams, which cover most two-character
Chinese words) and Latin letters and digits as whole words, also inside Chinese text ("VPN连
不上" gives "vpn", "连", "不", "上"). Character n-grams within words (2 to 4) add tolerance for
typos and inflections ("password"/"passwords"). Both parts are L2-normalised and weighted
equally, so a cosine is the mean of the word and the character cosines.
"""

import unicodedata

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN_PATTERN = rf"[{_CJK}]|[^\W_{_CJK}]+"
_HALF = np.sqrt(0.5)


def normalize_text(text: str) -> str:
    """NFKC (full-width letters and punctuation to their usual forms), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


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
        vectors = self._stack(self.word.transform(texts), self.char.transform(texts))
        self._last = (key, vectors)
        return vectors

    def similarities(self, texts: list[str]) -> np.ndarray:
        """(1 channel, len(texts), indexed texts) cosine similarities in [0, 1]."""
        product = self.vectors(texts) @ self.by_feature
        return np.asarray(product.toarray(), dtype=np.float64)[None]
