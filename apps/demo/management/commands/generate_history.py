"""manage.py generate_history: a back-dated desk history (requests over past days) in bulk."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.demo.history import NoOrganisation, generate_history


class Command(BaseCommand):
    help = (
        "Write a realistic back-dated history: N requests submitted over the last D days, each "
        "with its events, SLA clocks, messages and feedback up to now (needs the demo "
        "organisation or any departments with agents and customers)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=500)
        parser.add_argument("--days", type=int, default=60)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, requests, days, seed, no_progress, **options):
        if requests < 1 or days < 1:
            raise CommandError("--requests and --days must be at least 1.")
        bar = tqdm(total=requests, unit="req", disable=no_progress, file=self.stderr)
        try:
            totals = generate_history(requests=requests, days=days, seed=seed, progress=bar.update)
        except NoOrganisation as error:
            raise CommandError(str(error)) from None
        finally:
            bar.close()
        self.stdout.write(
            f"{totals['requests']} requests and {totals['events']} events over {days} days."
        )
