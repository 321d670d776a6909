"""Test the ETA model honestly on the desk's log or an imported one: train on the earlier cases,
test on the later ones, and print its figures beside the naive baselines'."""

import json
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.analytics.models import ImportedLog
from apps.improvement.eta.evaluation import DEFAULT_SHARE, evaluate
from apps.improvement.eta.report import format_report
from apps.improvement.eta.sources import desk_traces, imported_traces, office_hours


class Command(BaseCommand):
    help = (
        "Train the ETA model on the earlier cases of a log (chronological split by case start) "
        "and print, on every prefix of the later cases, next-step accuracy and remaining-time "
        "MAE per prefix length and overall, breach-risk Brier, AUC and calibration, for the "
        "model, the former empirical model and the naive baselines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--log", help="An imported event log (name or id); default: the desk's")
        parser.add_argument("--share", type=float, default=DEFAULT_SHARE, help="training share")
        parser.add_argument(
            "--target-hours",
            type=float,
            help="for cases without a resolution clock (imported logs): a breach is a case "
            "ending later than this after it started (default: the median training duration)",
        )
        parser.add_argument("--days", type=int, help="the desk's requests of the last N days only")
        parser.add_argument("--min-samples", type=int, default=5)
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, **options):
        traces = self._traces(options)
        target = options["target_hours"] * 3600 if options["target_hours"] else None
        try:
            report = evaluate(
                traces,
                share=options["share"],
                target_seconds=target,
                min_samples=options["min_samples"],
                zone=settings.TIME_ZONE,
                hours=None if options["log"] else office_hours(),
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, default=str))
            return
        for line in format_report(report):
            self.stdout.write(line)

    def _traces(self, options):
        name = options["log"]
        if name:
            found = ImportedLog.objects.filter(name=name).first()
            if found is None and name.isdigit():
                found = ImportedLog.objects.filter(pk=int(name)).first()
            if found is None:
                raise CommandError(f"No imported log {name!r}.")
            return imported_traces(found)
        since = timezone.now() - timedelta(days=options["days"]) if options["days"] else None
        return desk_traces(since=since)
