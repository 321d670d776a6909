"""Benchmark: FAQ matcher latency and index build time at 1k and 10k phrasings; demo evaluation."""

import argparse
import csv
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = os.environ.get("BENCH_KNOWLEDGE_DATABASE", "bench_knowledge")
FIXTURES = ROOT / "apps" / "demo" / "fixtures"
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mu",
    "se",
    "lo",
    "na",
    "vi",
    "pe",
    "do",
    "ru",
    "gi",
    "ha",
    "ze",
    "bo",
    "fa",
    "ti",
    "ne",
    "lu",
    "so",
]
TEMPLATES = [
    "how do I {}",
    "I have a problem with {}",
    "{} is not working",
    "help with {} please",
    "where can I find {}",
    "question about {}",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--matchers", nargs="+", default=["lexical", "semantic", "combined"])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.6, 0.7, 0.8, 0.9])
    parser.add_argument("--no-demo", action="store_true", help="Skip the demo evaluation.")
    parser.add_argument(
        "--articles",
        type=int,
        default=100,
        help="Articles of a synthetic base (its phrasings shared among them).",
    )
    return parser.parse_args()


def server_sql(statement: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "servicedesk.settings.test"
    os.environ["TEST_DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def load_demo() -> None:
    """The demo KB of fixtures/demo_faq.csv (its `language` column included) into the ORM."""
    from apps.knowledge.models import Article, Phrasing

    Article.objects.all().delete()
    with open(FIXTURES / "demo_faq.csv", encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    articles: dict[str, Article] = {}
    for row in rows:
        if row["key"] not in articles:
            articles[row["key"]] = Article.objects.create(
                key=row["key"],
                question=row["question"],
                answer=row["answer"],
                language=row["language"],
            )
        Phrasing.objects.create(article=articles[row["key"]], text=row["phrasing"])


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic_base(phrasings: int, articles: int, rng: random.Random):
    """A base of `phrasings` phrasings over `articles` articles, each a template around 3 of
    the article's 4 topic words drawn from a shared vocabulary: {key: (question, [phrasing])},
    and 400 (query, key) pairs made the same way but with one topic word left out."""
    per_article = phrasings // articles
    vocabulary = sorted({pseudo_word(rng) for _ in range(articles * 2)})
    topics = {f"article-{i}": rng.sample(vocabulary, 4) for i in range(articles)}
    base = {
        key: (
            TEMPLATES[0].format(" ".join(words)),
            [
                rng.choice(TEMPLATES).format(" ".join(rng.sample(words, 3)))
                for _ in range(per_article)
            ],
        )
        for key, words in topics.items()
    }
    keys = list(topics)
    queries = []
    for _ in range(400):
        key = rng.choice(keys)
        words = [*rng.sample(topics[key], 2), pseudo_word(rng)]
        queries.append((rng.choice(TEMPLATES).format(" ".join(words)), key))
    return base, queries


def load_synthetic(phrasings: int, articles: int, rng: random.Random) -> list[tuple[str, str]]:
    """The synthetic base (`synthetic_base`) into the ORM; returns its (query, key) pairs."""
    from apps.knowledge.models import Article, Phrasing

    Article.objects.all().delete()
    base, queries = synthetic_base(phrasings, articles, rng)
    created = Article.objects.bulk_create(
        Article(key=key, slug=key, question=question, answer="-")
        for key, (question, _texts) in base.items()
    )
    Phrasing.objects.bulk_create(
        Phrasing(article=article, text=text) for article in created for text in base[article.key][1]
    )
    return queries


def measure(matcher: str, queries: list[tuple[str, str]], limit: int) -> dict:
    from apps.knowledge.matching import suggest
    from apps.knowledge.matching.index import clear_cache, get_index, knowledge_version

    clear_cache()
    started, build_cpu_started = time.perf_counter(), time.process_time()
    index = get_index(matcher)
    build = time.perf_counter() - started
    build_cpu = time.process_time() - build_cpu_started
    latencies, cpu, right = [], [], 0
    for text, key in queries[:limit]:
        started, cpu_started = time.perf_counter(), time.process_time()
        matches = suggest(text, matcher=matcher)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        right += bool(matches) and matches[0].key == key
    version_ms = []
    for _ in range(50):
        started = time.perf_counter()
        knowledge_version()
        version_ms.append((time.perf_counter() - started) * 1000)
    return {
        "texts": len(index.snapshot.docs),
        "build_s": build,
        "build_cpu_s": build_cpu,
        "p50_ms": float(np.percentile(latencies, 50)),
        "p95_ms": float(np.percentile(latencies, 95)),
        "cpu_p50_ms": float(np.percentile(cpu, 50)),
        "cpu_p95_ms": float(np.percentile(cpu, 95)),
        "load_average": ", ".join(f"{value:.1f}" for value in os.getloadavg()),
        "version_query_p50_ms": float(np.percentile(version_ms, 50)),
        "top1": right / len(latencies),
        "kind": index.describe()["kind"],
    }


def run_demo(args: argparse.Namespace) -> None:
    from apps.knowledge.evaluation import evaluate, read_cases

    load_demo()
    cases = read_cases(FIXTURES / "demo_eval.csv")
    for matcher in args.matchers:
        result = evaluate(cases, matcher=matcher, thresholds=args.thresholds)
        prefix = f"demo_{matcher}"
        print(f"{prefix}_cases: {result['cases']} ({result['cases_with_answer']} answerable)")
        print(f"{prefix}_top1_accuracy: {result['top1_accuracy']}")
        print(f"{prefix}_top3_accuracy: {result['top3_accuracy']}")
        print(f"{prefix}_latency_p50_ms: {result['latency_ms']['p50']}")
        print(f"{prefix}_latency_p95_ms: {result['latency_ms']['p95']}")
        print(f"{prefix}_index_build_s: {result['index_build_s']}")
        for row in result["thresholds"]:
            t = f"{row['threshold']:.2f}"
            print(f"{prefix}_coverage_at_{t}: {row['coverage']}")
            print(f"{prefix}_precision_at_{t}: {row['precision']}")


def main() -> None:
    args = parse_args()
    server_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    server_sql(f"CREATE DATABASE {DATABASE}")
    try:
        setup_django()
        if not args.no_demo:
            run_demo(args)
        for size in args.sizes:
            queries = load_synthetic(size, args.articles, random.Random(size))
            for matcher in args.matchers:
                figures = measure(matcher, queries, args.queries)
                for name, value in figures.items():
                    shown = f"{value:.4f}" if isinstance(value, float) else value
                    name = name if name != "kind" else "scored_by"
                    print(f"{matcher}_{size}_{name}: {shown}", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        server_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
