"""Quality endpoints: thin views that parse parameters, call a selector, and render JSON."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from apps.api.idempotency import idempotent_post
from apps.api.staff import StaffView, parse_query
from apps.quality.alerts import alert_payload, do_acknowledge_alert
from apps.quality.api import examples as ex
from apps.quality.api.params import AlertParams, ChartParams, RangeParams, ScorecardParams
from apps.quality.charts import ChartWindow, draw_charts
from apps.quality.feedback_analysis import analyse_feedback
from apps.quality.models import QualityAlert
from apps.quality.scores import scorecard
from apps.quality.series import Span, csat_by_week, day_rows

ALERT_LIMIT = 200


class ControlCharts(StaffView):
    @extend_schema(
        tags=["quality"],
        summary="Control charts: resolution time (XmR) and SLA compliance (p-chart)",
        parameters=[ChartParams],
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.CONTROL_CHARTS],
    )
    def get(self, request):
        params = parse_query(ChartParams, request)
        data = params.validated_data
        window = ChartWindow.ending(data.get("last"), department_id=params.department_id())
        charts = draw_charts(window)
        return Response(
            {
                "department": window.department_id,
                "baseline_first": window.span.first,
                "window_first": window.window_first,
                "last": window.last,
                "charts": {name: chart.as_dict() for name, chart in charts.items()},
            }
        )


class Alerts(StaffView):
    @extend_schema(
        tags=["quality"],
        summary="Quality alerts raised by the control charts, newest first",
        parameters=[AlertParams],
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.ALERTS],
    )
    def get(self, request):
        params = parse_query(AlertParams, request)
        alerts = QualityAlert.objects.all()
        if params.department_id():
            alerts = alerts.filter(department_id=params.department_id())
        if params.validated_data["unacknowledged"]:
            alerts = alerts.filter(acknowledged_at__isnull=True)
        return Response({"results": [alert_payload(a) for a in alerts[:ALERT_LIMIT]]})


class AcknowledgeAlert(StaffView):
    @extend_schema(
        tags=["quality"],
        summary="Acknowledge a quality alert (its department's leads, or a superuser)",
        request=None,
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.ALERT],
    )
    @idempotent_post
    def post(self, request, pk: int):
        alert = get_object_or_404(QualityAlert, pk=pk)
        return Response(alert_payload(do_acknowledge_alert(alert, user=request.user)))


class FeedbackAnalysis(StaffView):
    @extend_schema(
        tags=["quality"],
        summary="Feedback: CSAT figures, comment sentiment and themes",
        parameters=[RangeParams],
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.FEEDBACK],
    )
    def get(self, request):
        params = parse_query(RangeParams, request)
        data = params.validated_data
        span = Span(first=data["start"], last=data["end"], department_id=params.department_id())
        result = analyse_feedback(start=span.start, end=span.end, department_id=span.department_id)
        trend = csat_by_week(day_rows(span))
        return Response({"start": span.first, "end": span.last, **result, "trend": trend})


class Scorecard(StaffView):
    @extend_schema(
        tags=["quality"],
        summary="KPI scorecard per department: the current period and its trend",
        parameters=[ScorecardParams],
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.SCORECARD],
    )
    def get(self, request):
        params = parse_query(ScorecardParams, request)
        data = params.validated_data
        return Response(
            scorecard(
                period=data["period"],
                count=data["periods"],
                department_id=params.department_id(),
            )
        )
