"""Load the demo organisation and requests once (a second run only prints the logins)."""

import os

from django.core.management.base import BaseCommand, CommandError

from apps.demo import loading as demo
from apps.demo.history import generate_history
from apps.demo.logins import logins_text, urls_text
from apps.improvement.eta.scoring import do_score_open_requests, do_train_eta_model
from apps.improvement.models import RequestForecast


class Command(BaseCommand):
    help = (
        "Create demo departments, agents, customers, categories and requests (all through the "
        "one door), unless already there; with --history, also a back-dated history and the "
        "ETA model trained on it (so the at-risk queue is filled); print the URLs and logins."
    )

    def add_arguments(self, parser):
        # `make run` exports HOST and PORT when the caller sets them; only the printout uses them.
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--history",
            type=int,
            default=0,
            help="also write this many back-dated requests (on the first load only)",
        )
        parser.add_argument("--days", type=int, default=60, help="the history's span in days")

    def handle(self, *args, host, port, history, days, **options):
        if history < 0 or days < 1:
            raise CommandError("--history must be at least 0 and --days at least 1.")
        if demo.is_loaded():
            self.stdout.write("Demo data already loaded; nothing to do.")
        else:
            counts = demo.load()
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))
            if history:
                self._history(history, days)
        self.stdout.write(urls_text(host, port))
        self.stdout.write(logins_text())

    def _history(self, requests: int, days: int) -> None:
        """The back-dated history, then the ETA model trained on it once (the beat retrains it
        every six hours; `manage.py train_eta_model` does it by hand)."""
        totals = generate_history(requests=requests, days=days)
        self.stdout.write(f"History: {totals['requests']} requests over {days} days.")
        if do_train_eta_model() is None:
            return
        counts = do_score_open_requests()
        at_risk = RequestForecast.objects.filter(at_risk=True).count()
        self.stdout.write(
            f"ETA model trained; {counts['scored']} open requests scored, {at_risk} at risk of "
            "missing their deadline (the at-risk queue)."
        )
