"""Input serializers of the quality API's query parameters."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from apps.accounts.models import Department
from apps.quality.scores import PERIODS


class DepartmentParam(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, help_text="A department's id."
    )

    def department_id(self) -> int | None:
        department = self.validated_data.get("department")
        return department.pk if department else None


class ChartParams(DepartmentParam):
    last = serializers.DateField(
        required=False, help_text="The last day charted (default: yesterday)."
    )


class RangeParams(DepartmentParam):
    start = serializers.DateField(required=False, help_text="First day (default: 30 days ago).")
    end = serializers.DateField(required=False, help_text="Last day, included (default: today).")

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("end", today)
        attrs.setdefault("start", attrs["end"] - timedelta(days=29))
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"start": _("Must not be after end.")})
        if (attrs["end"] - attrs["start"]).days > 366:
            raise serializers.ValidationError({"start": _("At most 367 days.")})
        return attrs


class ScorecardParams(DepartmentParam):
    period = serializers.ChoiceField(choices=PERIODS, default="month")
    periods = serializers.IntegerField(min_value=1, max_value=24, default=6)


class AlertParams(DepartmentParam):
    unacknowledged = serializers.BooleanField(required=False, default=False)
