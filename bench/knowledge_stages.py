"""Benchmark: what one FAQ answer costs, stage by stage, at 1k and 10k phrasings (no database).

The synthetic bases of bench/knowledge.py, built into a matching index without the ORM (the
version query, the one database read of an answer, is timed by bench/knowledge.py). For each
question, each stage is run alone with the scorers' caches emptied, timed in wall time and in
CPU time of the calling thread (on this shared 2-core machine the wall time is mostly waiting
for a core; the CPU time is what the answer costs), p50/p95 over the questions:

- `tfidf`: text normalisation, word and character n-grams, TF-IDF row (fast path), and
  `tfidf_sklearn`: the same through scikit-learn's transform (the reference);
- `nearest_lexical`: the row times the transposed index (cosine to every phrasing);
- `encode`: the question's sentence embedding (one torch thread, as the matcher runs it);
- `nearest_semantic`: the embedding times the embedding matrix (one BLAS thread);
- `fold_models`: the four fold models' averaged probabilities from the stacked weights, and
  `fold_models_sklearn`: the same through each model's predict_proba (the reference);
- `calibration`: the Platt mapping of the articles' probabilities and margins;
- `answer`: `MatchIndex.rank` whole, as `suggest()` runs it after the version query.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--matchers", nargs="+", default=["lexical", "semantic", "combined"])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--articles", type=int, default=100)
    return parser.parse_args()


def snapshot_of(base: dict):
    """The synthetic base as index.py's Snapshot (question first, distinct texts)."""
    from apps.knowledge.matching.classifier import default_out_of_scope
    from apps.knowledge.matching.index import Snapshot

    docs, doc_article, starts = [], [], []
    for position, (question, texts) in enumerate(base.values()):
        starts.append(len(docs))
        seen = set()
        for text in [question, *texts]:
            if text.strip().lower() not in seen:
                seen.add(text.strip().lower())
                docs.append(text)
                doc_article.append(position)
    return Snapshot(
        version=(),
        article_ids=np.arange(len(base)),
        keys=list(base),
        languages=["en"] * len(base),
        docs=docs,
        doc_article=np.array(doc_article),
        starts=np.array(starts),
        out_of_scope=default_out_of_scope(),
    )


def timed(stage, questions: list[str]) -> dict:
    for text in questions[:5]:
        stage(text)
    wall, cpu = [], []
    for text in questions:
        started, cpu_started = time.perf_counter(), time.thread_time()
        stage(text)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - cpu_started) * 1000)
    return {
        "wall_p50_ms": np.percentile(wall, 50),
        "wall_p95_ms": np.percentile(wall, 95),
        "cpu_p50_ms": np.percentile(cpu, 50),
        "cpu_p95_ms": np.percentile(cpu, 95),
    }


def lexical_stages(lexical, questions: list[str]) -> dict:
    from apps.knowledge.matching.index import _one_blas_thread

    rows = {text: lexical._rows([text]) for text in questions}

    def nearest_lexical(text):
        with _one_blas_thread():
            return rows[text] @ lexical.by_feature

    return {
        "tfidf": lambda text: lexical._rows([text]),
        "tfidf_sklearn": lambda text: lexical.reference_vectors([text]),
        "nearest_lexical": nearest_lexical,
    }


def semantic_stages(semantic, questions: list[str]) -> dict:
    from apps.knowledge.matching.index import _one_blas_thread

    embedded = {text: semantic._encode([text]) for text in questions}

    def nearest_semantic(text):
        with _one_blas_thread():
            return embedded[text] @ semantic.matrix.T

    return {"encode": lambda text: semantic._encode([text]), "nearest_semantic": nearest_semantic}


def classifier_stages(classifier, questions: list[str]) -> dict:
    from apps.knowledge.matching.index import _one_blas_thread

    features = {text: classifier.vectors([text]) for text in questions}

    def fold_models(text):
        with _one_blas_thread():
            return classifier.stacked.probabilities(features[text])

    def calibration(text):
        probabilities = classifier.stacked.probabilities(features[text])
        return classifier.platt.articles(probabilities[:, : classifier.articles])

    return {
        "fold_models": fold_models,
        "fold_models_sklearn": lambda text: classifier.reference_probabilities([text]),
        "calibration": calibration,
    }


def stages(index, questions: list[str]) -> dict:
    """Each stage of an answer as a function of the question, caches emptied first."""
    parts = getattr(index.scorer, "parts", (index.scorer,))
    allowed = index.allowed(None, ())
    result = {}
    for part in parts:
        if hasattr(part, "reference_vectors"):
            result |= lexical_stages(part, questions)
        else:
            result |= semantic_stages(part, questions)
    if index.classifier is not None:
        result |= classifier_stages(index.classifier, questions)

    def answer(text):
        for part in parts:  # the question's vectors computed anew
            part.forget()
        return index.rank(text, allowed, 3)

    result["answer"] = answer
    return result


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings.test")
    import django

    django.setup()
    from apps.knowledge.matching.index import build_index
    from bench.knowledge import synthetic_base

    for size in args.sizes:
        base, queries = synthetic_base(size, args.articles, random.Random(size))
        questions = [text for text, _key in queries[: args.queries]]
        snapshot = snapshot_of(base)
        for matcher in args.matchers:
            started, cpu_started = time.perf_counter(), time.process_time()
            index = build_index(matcher, snapshot)
            build, build_cpu = time.perf_counter() - started, time.process_time() - cpu_started
            print(f"{matcher}_{size}_texts: {len(snapshot.docs)}")
            print(f"{matcher}_{size}_build_s: {build:.1f} (CPU {build_cpu:.1f})", flush=True)
            for name, stage in stages(index, questions).items():
                figures = timed(stage, questions)
                shown = ", ".join(f"{key} {value:.2f}" for key, value in figures.items())
                load = os.getloadavg()[0]
                print(f"{matcher}_{size}_{name}: {shown} (load {load:.1f})", flush=True)


if __name__ == "__main__":
    main()
