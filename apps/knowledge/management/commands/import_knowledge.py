"""Import FAQ articles and their phrasings from a CSV file: all of it, or nothing."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.knowledge.articles import do_import_articles, slug_conflicts
from apps.knowledge.importing import COLUMNS, parse_articles


class Command(BaseCommand):
    help = (
        f"Import FAQ articles from a UTF-8 CSV file with the columns {','.join(COLUMNS)}: one "
        "row per phrasing, rows sharing a key make one article. Articles are created or "
        "updated by key and their phrasings replaced by the file's. A row with only a phrasing "
        "is an out-of-scope question (the chatbot learns not to answer it). Any error: "
        "nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE.csv")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and count, write nothing."
        )
        parser.add_argument(
            "--language", default="en", help="Language of every article in the file (en)."
        )
        parser.add_argument(
            "--unpublished",
            action="store_true",
            help="Import the articles unpublished (the chatbot does not use them).",
        )

    def handle(self, *args, file, dry_run, language, unpublished, **options):
        languages = dict(settings.LANGUAGES)
        if language not in languages:
            raise CommandError(f'Unknown language "{language}"; one of {", ".join(languages)}.')
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        parsed = parse_articles(data)
        if not parsed.problems:
            parsed.problems = slug_conflicts(parsed.articles)
        if parsed.problems:
            for problem in parsed.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(parsed.problems)} error(s) in {file}; nothing was imported.")
        result = do_import_articles(
            parsed.articles,
            language=language,
            published=not unpublished,
            dry_run=dry_run,
            out_of_scope=parsed.out_of_scope,
            progress=lambda articles: tqdm(
                articles, desc="articles", unit="", file=sys.stderr, disable=None
            ),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{'Dry run, nothing written: ' if dry_run else ''}"
                f"{len(parsed.articles)} articles in {file}: {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged; "
                f"{parsed.phrasing_count} phrasings; "
                f"{result.out_of_scope} new out-of-scope questions."
            )
        )
