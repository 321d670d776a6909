"""Run the whole desk in one terminal: web server, Celery worker and Celery beat."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.demo.logins import base_url, logins_text, urls_text
from servicedesk.processes import Supervisor, desk_children, url_answers


class Command(BaseCommand):
    help = (
        "Start the web server, a Celery worker on every queue and Celery beat; print the URLs "
        "and demo logins; stop them all on Ctrl-C or SIGTERM. Exits non-zero, naming it, if "
        "one of them stops by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, host, port, **options):
        banner = "\n".join(
            [
                "",
                "The service desk is running (Ctrl-C stops web, worker and beat):",
                urls_text(host, port),
                logins_text(),
                "",
            ]
        )
        # The children open their own connections; the supervisor keeps none open meanwhile.
        connection.close()
        children = desk_children(
            host=host,
            port=port,
            base_dir=settings.BASE_DIR,
            queues=list(settings.WORK_QUEUES),
            beat_schedule=settings.CELERY_BEAT_SCHEDULE_FILENAME,
        )
        supervisor = Supervisor(children, cwd=settings.BASE_DIR, say=self._say)
        health = f"{base_url(host, port)}/healthz"
        dead = supervisor.run(ready=lambda: url_answers(health), on_ready=lambda: self._say(banner))
        if dead is not None:
            raise CommandError(
                f"The {dead.name} process {dead.how_it_ended} on its own; the others were "
                "stopped. See its output above."
            )
        self._say("All desk processes stopped.")

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
