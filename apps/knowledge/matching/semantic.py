"""The semantic matcher: sentence embeddings of a model loaded offline from packages.

Optional: sentence-transformers, torch (CPU) and the packages holding the sentence model
(all-MiniLM-L6-v2 by default, all-mpnet-base-v2 by choice: sentence_models.py) come from
requirements-semantic*.txt and are imported only when this matcher is used. Nothing is fetched
from a model hub: the model is read from its packages' files with the Hugging Face libraries
set offline. Both models were trained mostly on English; Chinese texts get weaker embeddings,
which the combined matcher makes up for with its lexical part. Where `manage.py
finetune_knowledge` has written a model tuned on the base's phrasings from the configured
model (finetune.py), that model is used instead, and reloaded when it is written again.
"""

import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from django.conf import settings

from apps.knowledge.matching import sentence_models
from apps.knowledge.matching.sentence_models import SemanticUnavailable

BATCH_SIZE = 64
# A question or two is encoded on one thread: torch's default (a thread per core) spends more
# CPU waiting for its threads than computing on so small a batch. Measured on the shared
# 2-core machine at load 8 (2026-12-05), one sentence: 2 threads p50 415 ms wall / 198 ms CPU,
# 1 thread p50 96 ms wall / 31 ms CPU. Index builds (large batches) keep the default.
ONE_THREAD_UP_TO = 8
RECENT_QUESTIONS = 256  # embeddings of recent questions kept (1.5 KB each): ~20 ms saved each
# The embeddings of the texts of the process's latest index builds, by text, for the model that
# made them: a rebuild after an edit encodes only the texts it has not seen (10,000 phrasings
# take about 200 CPU-seconds to encode, one edited phrasing 20 ms). Kept up to this many texts
# beyond the latest build's (1.5 KB each).
KNOWN_TEXTS = 20_000

_known: dict[str, np.ndarray] = {}
_known_model: object = None
_known_lock = threading.Lock()

_model = None
_model_stamp: object = None
_tuned_base: dict[tuple, str | None] = {}  # (directory, marker stamp) -> model tuned from
_model_lock = threading.Lock()


__all__ = ["SemanticScorer", "SemanticUnavailable", "available", "load_model"]


def install_hint() -> str:
    """How to install what the configured sentence model needs."""
    return sentence_models.install_hint(sentence_models.configured())


def available() -> bool:
    """Whether the semantic matcher's packages and the configured sentence model's can be
    imported (without importing them)."""
    from importlib.util import find_spec

    return all(find_spec(name) for name in ("sentence_transformers", "torch")) and (
        sentence_models.installed(sentence_models.configured())
    )


def offline() -> None:
    """The Hugging Face libraries set never to reach a hub, and quiet."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def base_model_path() -> Path:
    """The directory of the configured sentence model (SERVICEDESK_CHATBOT_SENTENCE_MODEL)."""
    return sentence_models.model_path(sentence_models.configured())


def tuned_model_dir() -> Path | None:
    """Where `manage.py finetune_knowledge` writes the model tuned on the base
    (SERVICEDESK_CHATBOT_MODEL_DIR, by default var/knowledge/model); None outside Django."""
    if not settings.configured:
        return None
    default = sentence_models.knowledge_dir() / "model"
    return Path(getattr(settings, "SERVICEDESK_CHATBOT_MODEL_DIR", default))


def model_stamp() -> tuple:
    """What changes when a tuned model is written or another model is configured: the
    configured model's name, then the tuned model's marker (None: there is none, or it was
    tuned from another model, and the configured model is used as it ships). Called on every
    suggestion (the index's version): a stat, and the marker read once per marker."""
    from apps.knowledge.matching.finetune import MARKER, tuned_from

    name = sentence_models.configured()
    directory = tuned_model_dir()
    if directory is None:
        return (name, None)
    try:
        stat = (directory / MARKER).stat()
    except OSError:
        return (name, None)
    stamp = (stat.st_mtime_ns, stat.st_size)
    key = (str(directory), stamp)
    base = _tuned_base.get(key)
    if base is None:
        base = tuned_from(directory)
        _tuned_base.clear()
        _tuned_base[key] = base
    return (name, stamp if base == name else None)


def load_model():
    """The process's one SentenceTransformer: the tuned model when one was written from the
    configured model, else that model read from its packages' files; reloaded when either
    changes."""
    global _model, _model_stamp
    stamp = model_stamp()
    with _model_lock:
        if _model is None or stamp != _model_stamp:
            offline()
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging
            except ImportError as error:
                raise SemanticUnavailable(f"{install_hint()} ({error})") from error
            transformers_logging.disable_progress_bar()  # "Loading weights" on every start
            path = tuned_model_dir() if stamp[1] is not None else base_model_path()
            _model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            _model_stamp = stamp
        return _model


class SemanticScorer:
    """Cosine similarities of texts to the indexed texts in the embedding space."""

    channels = ("semantic",)

    def __init__(self, docs: list[str], model=None) -> None:
        self.model = model if model is not None else load_model()
        self._last: tuple[tuple[str, ...], np.ndarray] = ((), np.zeros((0, 0)))
        self._recent: OrderedDict[tuple[str, ...], np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()
        self.matrix = self.embed(docs)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings. A question's (up to `ONE_THREAD_UP_TO` texts) are kept for
        its next `RECENT_QUESTIONS` callers (a suggestion asks twice, for the classifier's
        features and for the nearest phrasing; the bot and the FAQ search see the same
        questions again); a larger batch only until the next call."""
        key = tuple(texts)
        if len(texts) > ONE_THREAD_UP_TO:
            last = self._last
            if last[0] != key:
                last = (key, self._encode_known(texts))
                self._last = last
            return last[1]
        with self._recent_lock:
            vectors = self._recent.get(key)
            if vectors is not None:
                self._recent.move_to_end(key)
                return vectors
        vectors = self._encode(texts)
        with self._recent_lock:
            self._recent[key] = vectors
            if len(self._recent) > RECENT_QUESTIONS:
                self._recent.popitem(last=False)
        return vectors

    def forget(self) -> None:
        """Drop the kept embeddings (for benchmarks timing a question's first encoding)."""
        with self._recent_lock:
            self._recent.clear()
        self._last = ((), np.zeros((0, 0)))

    def _encode_known(self, texts: list[str]) -> np.ndarray:
        """A large batch (an index build): texts the same model encoded for an earlier build
        are taken from `_known`, the others encoded; `_known` then holds at least these texts."""
        global _known, _known_model
        with _known_lock:
            known = _known if _known_model is self.model else {}
        missing = list(dict.fromkeys(text for text in texts if text not in known))
        fresh = dict(zip(missing, self._encode(missing), strict=True)) if missing else {}
        vectors = np.stack([known[t] if t in known else fresh[t] for t in texts])
        with _known_lock:
            too_many = len(_known) + len(fresh) > KNOWN_TEXTS + len(texts)
            if _known_model is not self.model or too_many:
                _known = {}
            _known.update(zip(texts, vectors, strict=True))
            _known_model = self.model
        return vectors

    def _encode(self, texts: list[str]) -> np.ndarray:
        if len(texts) > ONE_THREAD_UP_TO:
            return self._encode_batch(texts)
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # process-wide: a concurrent build runs slower, never wrong
        try:
            return self._encode_batch(texts)
        finally:
            torch.set_num_threads(threads)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
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
