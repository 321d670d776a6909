"""Contrastive fine-tuning of the sentence model on a knowledge base's own phrasings (optional).

SetFit's first stage without its extra packages: the texts of one article are pulled together
and those of different articles pushed apart, then the semantic and combined matchers train
their classifier on the tuned embeddings as on the frozen ones. Each step takes a batch of
(text, another text of the same article) pairs whose articles are all different, and the loss
is the in-batch softmax over scaled cosines in both directions (multiple negatives ranking):
every other pair's text is a negative, never one of the same article. CPU only, from the
configured sentence model as its packages ship it (sentence_models.py); nothing is downloaded.

`finetune` writes a SentenceTransformer directory; `semantic.load_model` prefers it to the
base model once it holds `MARKER` (written last, so a half-written model is never loaded; it
names the model tuned, and a model tuned from another than the configured one is not used), and
the index rebuilds when the marker changes. Run `manage.py finetune_knowledge` again after
large edits of the base: the tuned model keeps working for new articles, as the base one does,
but learns only from the texts it saw.
"""

import json
import os
import random
import shutil
import time
from pathlib import Path

import numpy as np

MARKER = "finetuned.json"
SCALE = 20.0  # the inverse temperature of the softmax over cosines
LEARNING_RATE = 2e-5
WARMUP_SHARE = 0.1


def anchor_pairs(labels: np.ndarray, rng: random.Random) -> list[tuple[int, int, int]]:
    """(anchor, positive, article): each text once as an anchor, with a random other text of its
    article as the positive; articles with one text sit out."""
    members: dict[int, list[int]] = {}
    for position, label in enumerate(labels.tolist()):
        members.setdefault(label, []).append(position)
    pairs = []
    for label, texts in members.items():
        if len(texts) > 1:
            for anchor in texts:
                positive = rng.choice([other for other in texts if other != anchor])
                pairs.append((anchor, positive, label))
    rng.shuffle(pairs)
    return pairs


def pair_batches(labels: np.ndarray, batch_size: int, rng: random.Random) -> list[list[tuple]]:
    """One epoch of `anchor_pairs` in batches whose articles are all different; a pair left
    alone at the end joins a full batch without its article (one over the size)."""
    full: list[list[tuple]] = []
    filling: list[list[tuple]] = []
    for pair in anchor_pairs(labels, rng):
        batch = next((b for b in filling if all(p[2] != pair[2] for p in b)), None)
        if batch is None:
            filling.append([pair])
        else:
            batch.append(pair)
            if len(batch) == batch_size:
                filling.remove(batch)
                full.append(batch)
    alone = [batch[0] for batch in filling if len(batch) == 1]
    full += [batch for batch in filling if len(batch) > 1]
    for pair in alone:
        home = next((b for b in full if all(p[2] != pair[2] for p in b)), None)
        if home is not None:
            home.append(pair)
    return full


def finetune(  # noqa: PLR0913  the data, where to write, and three keyword-only knobs
    texts: list[str],
    labels: np.ndarray,
    output: Path,
    *,
    epochs: int = 4,
    batch_size: int = 32,
    seed: int = 20261204,
    log=None,
) -> dict:
    """Fine-tune the base model on (texts, labels) and write it to `output`; returns figures."""
    import torch
    from sentence_transformers import SentenceTransformer

    from apps.knowledge.matching import sentence_models
    from apps.knowledge.matching.semantic import base_model_path, offline

    offline()
    started = time.perf_counter()
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = SentenceTransformer(str(base_model_path()), device="cpu", local_files_only=True)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    plan = [pair_batches(labels, batch_size, rng) for _ in range(epochs)]
    total = max(1, sum(len(batches) for batches in plan))
    warmup = max(1, int(total * WARMUP_SHARE))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, 1 - step / total)
    )
    losses = []
    for epoch, batches in enumerate(plan):
        for batch in batches:
            anchors = _embed(model, [texts[a] for a, _, _ in batch])
            positives = _embed(model, [texts[p] for _, p, _ in batch])
            scores = SCALE * anchors @ positives.T
            target = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(scores, target)
                + torch.nn.functional.cross_entropy(scores.T, target)
            ) / 2
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            losses.append(loss.detach().item())
        if log is not None:
            log(f"epoch {epoch + 1}/{epochs}: mean loss {np.mean(losses[-len(batches) :]):.4f}")
    model.eval()
    figures = {
        "base": sentence_models.configured(),
        "texts": len(texts),
        "articles": len(set(labels.tolist())),
        "epochs": epochs,
        "steps": total,
        "seconds": round(time.perf_counter() - started, 1),
        "final_loss": round(float(np.mean(losses[-10:])), 4) if losses else None,
    }
    _save(model, output, figures)
    return figures


def tuned_from(directory: Path) -> str | None:
    """The sentence model the model in `directory` was tuned from (None: no tuned model there;
    a marker older than that field: the default model, the only one then)."""
    from apps.knowledge.matching.sentence_models import DEFAULT

    try:
        figures = json.loads((Path(directory) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return figures.get("base", DEFAULT) if isinstance(figures, dict) else None


def _embed(model, texts: list[str]):
    import torch

    prepare = getattr(model, "preprocess", None) or model.tokenize  # renamed in v6
    features = prepare(texts)
    output = model(dict(features))
    return torch.nn.functional.normalize(output["sentence_embedding"], dim=-1)


def _save(model, output: Path, figures: dict) -> None:
    """Write to a sibling directory, then swap it in, so readers never see half a model."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f"{output.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    model.save(str(staging))
    (staging / MARKER).write_text(json.dumps(figures), encoding="utf-8")
    retired = output.with_name(f"{output.name}.old-{os.getpid()}")
    if output.exists():
        output.rename(retired)
    staging.rename(output)
    shutil.rmtree(retired, ignore_errors=True)
