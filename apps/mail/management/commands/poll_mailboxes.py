"""`manage.py poll_mailboxes`: take in the unseen mails of the active mailboxes now."""

from django.core.management.base import BaseCommand

from apps.mail.imap import poll_all, poll_mailbox
from apps.mail.models import Mailbox


class Command(BaseCommand):
    help = "Poll the active mailboxes (or the one named) once and print what each mail became."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="the name of one mailbox (active or not)")
        parser.add_argument("--limit", type=int, help="at most this many mails a mailbox")

    def handle(self, *args, mailbox=None, limit=None, **options):
        if mailbox:
            box = Mailbox.objects.get(name=mailbox)
            results = {box.name: dict(poll_mailbox(box, limit=limit))}
        else:
            results = poll_all(limit=limit)
        for name, counts in results.items():
            summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no new mail"
            self.stdout.write(f"{name}: {summary}")
