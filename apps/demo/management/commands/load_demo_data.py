"""Load the demo organisation and requests once (a second run only prints the logins)."""

import os

from django.core.management.base import BaseCommand

from apps.demo import loading as demo
from apps.demo.logins import logins_text, urls_text


class Command(BaseCommand):
    help = (
        "Create demo departments, agents, customers, categories and requests (all through the "
        "one door), unless already there; print the URLs and demo logins."
    )

    def add_arguments(self, parser):
        # `make run` exports HOST and PORT when the caller sets them; only the printout uses them.
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, host, port, **options):
        if demo.is_loaded():
            self.stdout.write("Demo data already loaded; nothing to do.")
        else:
            counts = demo.load()
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))
        self.stdout.write(urls_text(host, port))
        self.stdout.write(logins_text())
