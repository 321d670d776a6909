"""Input serializers of the analytics API's query parameters."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Tier
from apps.analytics.exports import FORMATS
from apps.analytics.scope import FIELDS
from apps.analytics.sources import DEFAULT_KINDS
from apps.eventlog.models import EventKind
from apps.lifecycle.channel import Channel

DEFAULT_DAYS = 30


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantField(serializers.Field):
    """An ISO 8601 date-time, or a date (its local midnight)."""

    def to_internal_value(self, data):
        text = str(data).strip()
        when = parse_datetime(text)
        if when is None and (day := parse_date(text)) is not None:
            when = datetime.combine(day, time.min)
        if when is None:
            raise serializers.ValidationError(_("An ISO 8601 date or date-time."))
        return timezone.make_aware(when) if timezone.is_naive(when) else when

    def to_representation(self, value):
        return value.isoformat()


@extend_schema_field(OpenApiTypes.STR)
class ListField(serializers.Field):
    """One value or several separated by commas, each checked by `child`."""

    def __init__(self, child, **kwargs):
        self.child = child
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = [part.strip() for part in str(data).split(",") if part.strip()]
        if not values:
            raise serializers.ValidationError(_("At least one value."))
        return [self.child.run_validation(value) for value in values]


def _ids(help_text: str) -> ListField:
    return ListField(serializers.IntegerField(min_value=1), required=False, help_text=help_text)


class PeriodParams(serializers.Serializer):
    start = InstantField(required=False, help_text="Start of the period (default: 30 days ago).")
    end = InstantField(required=False, help_text="End of the period, excluded (default: now).")

    def validate(self, attrs):
        attrs.setdefault("end", timezone.now())
        attrs.setdefault("start", attrs["end"] - timedelta(days=DEFAULT_DAYS))
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"start": _("Must be before end.")})
        return attrs


class ScopeParams(PeriodParams):
    department = _ids("Department id(s), comma-separated.")
    agent = _ids("Agent id(s) (the request's assignee).")
    category = _ids("Category id(s).")
    priority = ListField(
        serializers.ChoiceField(choices=[1, 2, 3, 4]), required=False, help_text="1-4."
    )
    channel = ListField(serializers.ChoiceField(choices=Channel.values), required=False)
    tier = ListField(serializers.ChoiceField(choices=Tier.values), required=False)

    def filters(self) -> dict:
        return {name: self.validated_data[name] for name in FIELDS if name in self.validated_data}


class NoImportedLog:
    """`log` is refused: these figures need the desk's requests, SLA clocks and feedback,
    which an imported log does not have (never the desk's figures in its place)."""

    def validate(self, attrs):
        if "log" in self.initial_data:
            raise serializers.ValidationError(
                {
                    "log": _(
                        "An imported log has no requests, SLA clocks or feedback: use the "
                        "process map, variants and bottleneck with ?log= instead."
                    )
                }
            )
        return super().validate(attrs)


class MetricsParams(NoImportedLog, ScopeParams):
    group_by = serializers.ChoiceField(choices=list(FIELDS), required=False)


class SeriesParams(NoImportedLog, ScopeParams):
    tz = serializers.CharField(
        required=False, help_text="IANA time zone of the days (default: the server's)."
    )

    def validate_tz(self, value):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(_("Unknown time zone.")) from None

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if (attrs["end"] - attrs["start"]).days > 731:
            raise serializers.ValidationError({"start": _("At most two years of days.")})
        return attrs


class MapParams(ScopeParams):
    log = serializers.IntegerField(
        required=False, min_value=1, help_text="An imported log's id instead of the desk's log."
    )
    kinds = ListField(
        serializers.ChoiceField(choices=[*EventKind.values, "all"]),
        required=False,
        help_text=f"Event kinds (default: {','.join(DEFAULT_KINDS)}; 'all' for every kind).",
    )

    default_kinds: list[str] = list(DEFAULT_KINDS)

    def source_args(self) -> dict:
        """start, end, filters, kinds and log for the process-map functions."""
        data = self.validated_data
        kinds = data.get("kinds", self.default_kinds)
        return {
            "start": data.get("start"),
            "end": data.get("end"),
            "filters": self.filters(),
            "kinds": None if "all" in kinds else tuple(kinds),
            "log": data.get("log"),
        }

    def validate(self, attrs):
        # Unlike the metrics, the map covers all time unless a period is given.
        if "start" in attrs and "end" in attrs and attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"start": _("Must be before end.")})
        return attrs


class ProcessMapParams(MapParams):
    view = serializers.ChoiceField(choices=["states", "activities"], default="states")


class VariantParams(MapParams):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10)


class BottleneckParams(MapParams):
    min_cases = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Rank only places with at least this many waits (default: the setting "
        "SERVICEDESK_BOTTLENECK_MIN_CASES, 5).",
    )


class ExportParams(MapParams):
    default_kinds = ["all"]  # an export is the whole log unless kinds are named
    # Not `format`: DRF reads ?format= to choose a renderer.
    log_format = serializers.ChoiceField(choices=list(FORMATS), default="csv")
