"""Business calendars: a time zone, weekly working hours and holidays, or 24x7."""

import datetime as dt
import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.sla.business_time import MIDNIGHT, Schedule, blocks_overlap, merge_blocks


@functools.cache
def time_zone_names() -> frozenset[str]:
    # Read from the tz database on disk once: it is a directory walk.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            _("%(value)s is not a known time zone (for example Europe/Berlin)."),
            code="invalid_time_zone",
            params={"value": value},
        )


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("IANA name, for example Europe/Berlin; hours and holidays are local to it."),
    )
    always_open = models.BooleanField(
        _("24x7"),
        default=False,
        help_text=_(
            "Open around the clock: business time is wall time; hours and holidays are ignored."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop("_schedule", None)

    def schedule(self) -> Schedule:
        """The calendar as a Schedule for apps.sla.business_time, built once per instance.

        Hours and holidays are read on the first call (prefetched ones are used as they are);
        load the calendar again, or call refresh_from_db(), to see later changes.
        """
        if "_schedule" not in self.__dict__:
            self.__dict__["_schedule"] = self._build_schedule()
        return self.__dict__["_schedule"]

    def _build_schedule(self) -> Schedule:
        tz = zoneinfo.ZoneInfo(self.time_zone)
        if self.always_open:
            return Schedule(tz=tz, weekly=((),) * 7, always_open=True)
        by_day: list[list[tuple[dt.time, dt.time]]] = [[] for _ in range(7)]
        for block in self.hours.all():
            by_day[block.weekday].append((block.start, block.end))
        # Merged rather than refused: rows written around clean() (a script, a fixture) must
        # not stop every deadline of the calendar from being computed.
        return Schedule(
            tz=tz,
            weekly=tuple(merge_blocks(blocks) for blocks in by_day),
            holidays=frozenset(holiday.date for holiday in self.holidays.all()),
        )


class WorkingHours(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="hours",
        verbose_name=_("calendar"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6), name="sla_weekday_0_to_6"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")) | models.Q(end=MIDNIGHT),
                name="sla_hours_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        end = "24:00" if self.end == MIDNIGHT else f"{self.end:%H:%M}"
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{end}"

    def clean(self) -> None:
        super().clean()
        if self.start is None or self.end is None:
            return
        if self.end != MIDNIGHT and self.end <= self.start:
            raise ValidationError(
                {"end": _("The block must end after it starts (00:00 means midnight).")}
            )
        if self.calendar_id is None or self.weekday is None:
            return
        others = WorkingHours.objects.filter(
            calendar_id=self.calendar_id, weekday=self.weekday
        ).exclude(pk=self.pk)
        for other in others:
            if blocks_overlap((self.start, self.end), (other.start, other.end)):
                raise ValidationError(
                    _("This block overlaps %(other)s on the same weekday."),
                    code="overlap",
                    params={"other": other},
                )


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="holidays",
        verbose_name=_("calendar"),
    )
    date = models.DateField(_("date"), help_text=_("A local date, closed all day."))
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_one_holiday_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()
