"""Verify that every request's event log replays to its state, with contiguous sequences and
time never going backwards; exit non-zero naming each violation."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.eventlog.models import Event
from apps.eventlog.replay import check_log


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--request",
            type=int,
            action="append",
            dest="requests",
            help="Check only this request id (repeatable).",
        )

    def handle(self, *args: Any, requests: list[int] | None = None, **options: Any) -> None:
        # The requests are whatever the log's rows point at (the app above this one).
        requests_model = Event._meta.get_field("request").related_model
        rows = requests_model._default_manager.order_by("pk")
        if requests:
            rows = rows.filter(pk__in=requests)
        checked = rows.count()
        violations = list(check_log(rows.values_list("pk", "state", "last_event_seq").iterator()))
        for violation in violations:
            self.stderr.write(str(violation))
        if violations:
            raise CommandError(
                f"{len(violations)} violation(s) in the event log of {checked} request(s)."
            )
        self.stdout.write(f"Event log consistent for {checked} request(s).")
