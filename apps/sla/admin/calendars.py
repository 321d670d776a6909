"""Admin for business calendars, with their working hours and holidays inline."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from apps.sla.business_time import blocks_overlap
from apps.sla.models import BusinessCalendar, Holiday, Weekday, WorkingHours
from apps.sla.models.calendars import time_zone_names


class BusinessCalendarForm(forms.ModelForm):
    # A list to pick from rather than free text: a mistyped zone would shift every deadline.
    time_zone = forms.ChoiceField(label=_("time zone"), choices=())

    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "always_open"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in sorted(time_zone_names())]


class WorkingHoursFormSet(forms.BaseInlineFormSet):
    def clean(self):
        # Each row's clean() compares it with the saved rows only; blocks added or changed
        # together in one submit are compared with each other here.
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("start") is not None
            and form.cleaned_data.get("end") is not None
        ]
        for index, first in enumerate(kept):
            for second in kept[index + 1 :]:
                same_day = first.get("weekday") == second.get("weekday")
                if same_day and blocks_overlap(
                    (first["start"], first["end"]), (second["start"], second["end"])
                ):
                    raise ValidationError(
                        _("Two blocks on %(day)s overlap."),
                        params={"day": Weekday(int(first["weekday"])).label},
                    )


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ["name", "time_zone", "always_open", "block_count", "holiday_count"]
    list_filter = ["always_open", "time_zone"]
    search_fields = ["name"]
    inlines = [WorkingHoursInline, HolidayInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                block_count=Count("hours", distinct=True),
                holiday_count=Count("holidays", distinct=True),
            )
        )

    @admin.display(description=_("blocks per week"), ordering="block_count")
    def block_count(self, calendar: BusinessCalendar) -> int:
        return calendar.block_count

    @admin.display(description=_("holidays"), ordering="holiday_count")
    def holiday_count(self, calendar: BusinessCalendar) -> int:
        return calendar.holiday_count
