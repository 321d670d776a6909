"""Delete stored attachment files that no attachment names (left by a crash or a rollback)."""

from django.core.management.base import BaseCommand

from apps.tickets.attachments import sweep_attachment_files


class Command(BaseCommand):
    help = (
        "Delete files in the attachments storage that no attachment names and that are older "
        "than SERVICEDESK_ATTACHMENT_ORPHAN_HOURS (or --hours)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=None)

    def handle(self, *args, hours=None, **options):
        deleted = sweep_attachment_files(older_than_hours=hours)
        for name in deleted:
            self.stdout.write(f"deleted {name}")
        self.stdout.write(f"{len(deleted)} orphan file(s) deleted")
