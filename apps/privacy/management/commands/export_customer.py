"""Export one customer's personal data: a zip (export.json and their files), or the JSON alone."""

from pathlib import Path

from django.core.management.base import BaseCommand

from apps.privacy.export import archive_name, customer_export, do_export_customer, export_json
from apps.privacy.selectors import get_customer_named


class Command(BaseCommand):
    help = (
        "Export a customer's personal data (docs/privacy.md) as a zip of export.json and their "
        "files, written to --output (default: customer-<id>-export-<date>.zip here); with "
        "--json, print the JSON document alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("customer", help="customer id, username or e-mail address")
        parser.add_argument("--output", help="where to write the zip")
        parser.add_argument("--json", action="store_true", help="print the JSON, no files")

    def handle(self, *args, customer, output=None, json=False, **options):
        found = get_customer_named(customer)
        if json:
            self.stdout.write(export_json(customer_export(found)))
            return
        path = Path(output or archive_name(found))
        path.write_bytes(do_export_customer(found, channel="command"))
        self.stdout.write(f"wrote {path}")
