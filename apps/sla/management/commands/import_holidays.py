"""Import a country's public holidays into a business calendar (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import InvalidData
from apps.sla.calendars import do_import_holidays
from apps.sla.models import BusinessCalendar


class Command(BaseCommand):
    help = (
        "Add the public holidays of a country (optionally a subdivision) for some years to a "
        "business calendar. Dates already there are kept and take the imported name."
    )

    def add_arguments(self, parser):
        parser.add_argument("--calendar", required=True, help="Name of the business calendar.")
        parser.add_argument("--country", required=True, help="ISO 3166-1 code, e.g. DE.")
        parser.add_argument("--subdiv", default=None, help="Subdivision code, e.g. BY.")
        parser.add_argument("--years", required=True, nargs="+", type=int, metavar="YEAR")
        parser.add_argument(
            "--language", default=None, help="Language of the names, e.g. en_US or de."
        )

    def handle(self, *args, calendar, country, subdiv, years, language, **options):
        try:
            target = BusinessCalendar.objects.get(name=calendar)
        except BusinessCalendar.DoesNotExist:
            raise CommandError(f'No business calendar named "{calendar}".') from None
        try:
            result = do_import_holidays(
                calendar=target, country=country, subdiv=subdiv, years=years, language=language
            )
        except InvalidData as error:
            raise CommandError(error.message) from None
        where = f"{country}-{subdiv}" if subdiv else country
        self.stdout.write(
            self.style.SUCCESS(
                f'Added {result.added} holidays to "{target}" ({where}, '
                f"{', '.join(map(str, years))}); {result.renamed} renamed, "
                f"{result.unchanged} already there."
            )
        )
