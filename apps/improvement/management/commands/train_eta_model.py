"""Train the ETA model on the desk's log now (the worker also does it on the beat), then score
the open requests with it."""

from django.core.management.base import BaseCommand

from apps.improvement.eta.scoring import do_score_open_requests, do_train_eta_model


class Command(BaseCommand):
    help = (
        "Train the boosted ETA model on the desk's event log (the requests of the last "
        "SERVICEDESK_ETA_HISTORY_DAYS days), store it, and score the open requests with it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="history to learn from (days)")
        parser.add_argument(
            "--evaluate", action="store_true", help="also store an honest evaluation (slower)"
        )

    def handle(self, *args, days=None, evaluate=False, **options):
        row = do_train_eta_model(history_days=days, evaluate_it=evaluate)
        if row is None:
            self.stdout.write("No finished requests to learn from: no model trained.")
            return
        counts = do_score_open_requests()
        self.stdout.write(
            f"Trained on {row.cases} requests ({row.samples} prefixes); "
            f"scored {counts['scored']} open requests, {counts['warned']} early warnings."
        )
