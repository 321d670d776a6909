"""The demo's FAQ: the development knowledge base in English and Chinese, loaded through the
same parser and writer as `manage.py import_knowledge`."""

import csv
import io
from collections import defaultdict
from pathlib import Path

from apps.knowledge.articles import do_import_articles
from apps.knowledge.importing import parse_articles

FIXTURE = Path(__file__).parent / "fixtures" / "demo_faq.csv"
COLUMNS = ["key", "question", "answer", "phrasing"]


def load_demo_faq() -> dict[str, int]:
    """Import the fixture one language at a time (its extra `language` column says which)."""
    by_language: dict[str, list[dict]] = defaultdict(list)
    with FIXTURE.open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            by_language[row["language"]].append(row)
    created = 0
    for language, rows in by_language.items():
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        parsed = parse_articles(out.getvalue().encode("utf-8"))
        if parsed.problems:
            raise ValueError(f"demo FAQ ({language}): {parsed.problems[0]}")
        created += do_import_articles(parsed.articles, language=language, published=True).created
    return {"faq_articles": created}
