"""Erase one customer's personal data (docs/privacy.md); asks first unless --yes."""

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import ServiceDeskError
from apps.privacy.erasure import check_erasable, do_erase_customer
from apps.privacy.selectors import get_customer_named


class Command(BaseCommand):
    help = (
        "Erase a customer's personal data for good: names, e-mail, texts, files, mails, "
        "notifications; their requests stay, anonymous, and the event log still replays. "
        "Refused for staff and agents. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("customer", help="customer id, username or e-mail address")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, customer, yes=False, **options):
        found = get_customer_named(customer)
        try:
            check_erasable(found)
        except ServiceDeskError as error:
            raise CommandError(error.message) from None
        if not yes:
            answer = input(f"Erase customer #{found.pk} ({found.user.username})? Type 'erase': ")
            if answer.strip() != "erase":
                raise CommandError("Not erased.")
        record = do_erase_customer(found, channel="command")
        counts = ", ".join(f"{kind} {n}" for kind, n in record.counts.items()) or "nothing"
        self.stdout.write(f"customer #{found.pk} erased ({record.at:%Y-%m-%d %H:%M}): {counts}")
