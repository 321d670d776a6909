"""Analytics endpoints (staff only): thin views that parse parameters, call a selector and
render JSON, or stream an export."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from apps.analytics import process_map as maps
from apps.analytics.api import examples as ex
from apps.analytics.api.params import (
    BottleneckParams,
    ExportParams,
    MetricsParams,
    ProcessMapParams,
    SeriesParams,
    VariantParams,
)
from apps.analytics.exports import FORMATS, export_chunks
from apps.analytics.metrics import compute_metrics
from apps.analytics.models import ImportedLog
from apps.analytics.series import daily_series
from apps.analytics.sources import source_for
from apps.api.staff import StaffView, parse_query

TAGS = ["analytics"]


class Metrics(StaffView):
    @extend_schema(
        tags=TAGS,
        summary="Metrics report: volumes, backlog, response and resolution times, SLA, rates, "
        "time in state, CSAT",
        parameters=[MetricsParams],
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.METRICS],
    )
    def get(self, request):
        params = parse_query(MetricsParams, request)
        data = params.validated_data
        rows = compute_metrics(
            start=data["start"],
            end=data["end"],
            filters=params.filters(),
            group_by=data.get("group_by"),
        )
        return Response({**_period(data), "group_by": data.get("group_by"), "results": rows})


class Series(StaffView):
    @extend_schema(
        tags=TAGS,
        summary="Daily series: created, closed, backlog, resolution time, SLA, CSAT per day",
        parameters=[SeriesParams],
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.SERIES],
    )
    def get(self, request):
        params = parse_query(SeriesParams, request)
        data = params.validated_data
        points = daily_series(
            start=data["start"], end=data["end"], filters=params.filters(), tz=data.get("tz")
        )
        return Response({**_period(data), "results": points})


class ProcessMap(StaffView):
    @extend_schema(
        tags=TAGS,
        summary="Process map: directly-follows graph of states or activities with waiting times",
        parameters=[ProcessMapParams],
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.PROCESS_MAP],
    )
    def get(self, request):
        params = parse_query(ProcessMapParams, request)
        return Response(
            maps.process_map(view=params.validated_data["view"], **params.source_args())
        )


class Variants(StaffView):
    @extend_schema(
        tags=TAGS,
        summary="The most common paths (variants) with their case counts",
        parameters=[VariantParams],
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.VARIANTS],
    )
    def get(self, request):
        params = parse_query(VariantParams, request)
        return Response(maps.variants(limit=params.validated_data["limit"], **params.source_args()))


class Bottleneck(StaffView):
    @extend_schema(
        tags=TAGS,
        summary="Where requests wait longest (median), with the ranking",
        parameters=[BottleneckParams],
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.BOTTLENECK],
    )
    def get(self, request):
        params = parse_query(BottleneckParams, request)
        args = params.source_args()
        del args["kinds"]
        found = maps.bottleneck(**args, min_cases=params.validated_data.get("min_cases"))
        return Response({"bottleneck": found})


class Export(StaffView):
    @extend_schema(
        tags=TAGS,
        summary="Export the event log as CSV, XES (IEEE 1849) or OCEL 2.0 JSON (streamed)",
        parameters=[ExportParams],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        examples=[ex.EXPORT],
    )
    def get(self, request):
        params = parse_query(ExportParams, request)
        fmt = params.validated_data["log_format"]
        source = source_for(**params.source_args())
        content_type, extension = FORMATS[fmt]
        response = StreamingHttpResponse(export_chunks(source, fmt), content_type=content_type)
        name = f"event-log-{timezone.now():%Y%m%d-%H%M%S}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class Imports(StaffView):
    @extend_schema(
        tags=TAGS,
        summary="Imported event logs (analyse one with ?log=<id> on the map endpoints)",
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.IMPORTS],
    )
    def get(self, request):
        logs = ImportedLog.objects.values(
            "id", "name", "source", "event_count", "case_count", "created_at", "options"
        )
        return Response({"results": list(logs)})


def _period(data: dict) -> dict:
    return {"start": data["start"], "end": data["end"]}
