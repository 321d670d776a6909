"""Calendar services: the default 24x7 calendar and importing public holidays."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import holidays as holidays_lib
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import InvalidData
from apps.sla.models import BusinessCalendar, Holiday

DEFAULT_CALENDAR_NAME = "24x7"
_NAME_LENGTH = Holiday._meta.get_field("name").max_length


def default_calendar() -> BusinessCalendar:
    """The calendar of a policy that names none: "24x7", always open, created on first use.

    An existing calendar of that name is returned as it is, even if someone changed it.
    """
    calendar, _created = BusinessCalendar.objects.get_or_create(
        name=DEFAULT_CALENDAR_NAME, defaults={"always_open": True, "time_zone": "UTC"}
    )
    return calendar


@dataclass(frozen=True)
class HolidayImport:
    added: int
    renamed: int
    unchanged: int


def public_holidays(
    *, country: str, subdiv: str | None, years: Iterable[int], language: str | None
) -> dict[dt.date, str]:
    """Public holidays from the `holidays` package; InvalidData names an unknown region."""
    supported = holidays_lib.list_supported_countries()
    if country not in supported:
        raise InvalidData(
            _("Unknown country %(country)r for public holidays (an ISO 3166-1 code such as DE).")
            % {"country": country},
            country=country,
        )
    if subdiv is not None and subdiv not in supported[country]:
        raise InvalidData(
            _("Country %(country)s has no subdivision %(subdiv)r (known: %(known)s).")
            % {"country": country, "subdiv": subdiv, "known": ", ".join(supported[country])},
            subdiv=subdiv,
        )
    found = holidays_lib.country_holidays(
        country, subdiv=subdiv, years=list(years), language=language
    )
    return dict(found.items())


def do_import_holidays(
    *,
    calendar: BusinessCalendar,
    country: str,
    subdiv: str | None = None,
    years: Iterable[int],
    language: str | None = None,
) -> HolidayImport:
    """Add the public holidays of a country (or subdivision) and years to a calendar.

    Writes Holiday rows in one transaction: missing dates are added, existing dates are kept
    and take the imported name. Idempotent. Raises InvalidData for an unknown country or
    subdivision, before writing anything.
    """
    found = public_holidays(country=country, subdiv=subdiv, years=years, language=language)
    with transaction.atomic():
        existing = {
            holiday.date: holiday
            for holiday in Holiday.objects.select_for_update().filter(
                calendar=calendar, date__in=list(found)
            )
        }
        added, renamed = [], []
        for date, name in sorted(found.items()):
            name = name[:_NAME_LENGTH]
            holiday = existing.get(date)
            if holiday is None:
                added.append(Holiday(calendar=calendar, date=date, name=name))
            elif holiday.name != name:
                holiday.name = name
                renamed.append(holiday)
        # ignore_conflicts: a concurrent import of the same dates must not fail this one.
        Holiday.objects.bulk_create(added, ignore_conflicts=True)
        Holiday.objects.bulk_update(renamed, ["name"])
    return HolidayImport(
        added=len(added), renamed=len(renamed), unchanged=len(found) - len(added) - len(renamed)
    )
