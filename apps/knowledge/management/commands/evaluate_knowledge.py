"""Evaluate the FAQ matcher against a CSV file of questions with their expected article."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.knowledge.evaluation import EvaluationError, evaluate, format_report, read_cases
from apps.knowledge.matching.index import MATCHERS


class Command(BaseCommand):
    help = (
        "Match every text of a UTF-8 CSV file (columns text,expected_key; an empty "
        "expected_key means no article should answer) against the published articles and "
        "print top-1 and top-3 accuracy, coverage and precision at each threshold, and the "
        "p50/p95 latency of one suggestion."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE.csv")
        parser.add_argument(
            "--matcher", choices=MATCHERS, help="Default: SERVICEDESK_CHATBOT_MATCHER."
        )
        parser.add_argument(
            "--threshold",
            type=float,
            nargs="+",
            action="extend",
            metavar="X",
            help="One or more thresholds to sweep. Default: SERVICEDESK_CHATBOT_THRESHOLD.",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print one JSON object."
        )

    def handle(self, *args, file, matcher, threshold, as_json, **options):
        try:
            cases = read_cases(file)
        except EvaluationError as error:
            raise CommandError(f"{file}:\n" + "\n".join(error.problems)) from error
        thresholds = sorted(set(threshold or [settings.SERVICEDESK_CHATBOT_THRESHOLD]))
        for value in thresholds:
            if not 0 <= value <= 1:
                raise CommandError(f"--threshold {value}: a threshold is between 0 and 1.")
        result = evaluate(
            cases, matcher=matcher or settings.SERVICEDESK_CHATBOT_MATCHER, thresholds=thresholds
        )
        self.stdout.write(json.dumps(result) if as_json else format_report(result))
