"""Improvement endpoints: forecasts and the at-risk list, the ETA model's figures, the staffing
forecast, and problem records with their transitions; staff only, thin views."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from apps.api.idempotency import idempotent_post
from apps.api.permissions import IsAgent, IsStaff
from apps.api.staff import StaffView, parse_query
from apps.improvement import selectors
from apps.improvement.api import schema_examples as ex
from apps.improvement.api import serializers as s
from apps.improvement.models import EtaModel, Problem, RequestForecast, StaffingForecast
from apps.improvement.problems import services
from apps.improvement.staffing.plan import staffing_plan
from apps.tickets.api.views import ActorMixin
from apps.tickets.selectors import list_requests_for


class ImprovementView(ActorMixin):
    """Staff agents only: staff status first (as the reports), then an agent of the desk."""

    permission_classes = [IsStaff, IsAgent]
    permission_message = _("Continuous improvement is for agents.")


@extend_schema(tags=["improvement"], parameters=[s.ForecastQuerySerializer])
class ForecastList(ImprovementView, generics.ListAPIView):
    serializer_class = s.ForecastSerializer

    def get_queryset(self):
        if self.schema_only():
            return RequestForecast.objects.none()
        params = parse_query(s.ForecastQuerySerializer, self.request).validated_data
        visible = list_requests_for(self.request.actor, with_sla=False)
        if params["at_risk"]:
            visible = selectors.filter_at_risk(visible)
        return (
            RequestForecast.objects.filter(request__in=visible.values("pk"))
            .select_related("request")
            .order_by("-risk", "pk")
        )

    @extend_schema(
        summary="Open requests' expected resolution and breach risk, riskiest first",
        examples=[ex.FORECAST],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["improvement"])
class EtaModelView(StaffView):
    @extend_schema(
        summary="The latest ETA model: when trained, on what, its honest figures",
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.ETA_MODEL],
    )
    def get(self, request):
        row = EtaModel.objects.order_by("-trained_at", "-pk").first()
        if row is None:
            raise Http404
        return Response(
            {
                "trained_at": row.trained_at,
                "cases": row.cases,
                "samples": row.samples,
                "evaluation": row.evaluation,
            }
        )


@extend_schema(tags=["improvement"], parameters=[s.StaffingQuerySerializer])
class Staffing(StaffView):
    @extend_schema(
        summary="Arrivals per hour of the week, their forecast, and the agents needed (Erlang C) "
        "beside those scheduled; the worker's latest forecast unless parameters are given",
        responses={200: OpenApiTypes.OBJECT},
        examples=[ex.STAFFING],
    )
    def get(self, request):
        params = parse_query(s.StaffingQuerySerializer, request).validated_data
        stored = StaffingForecast.objects.order_by("-created_at", "-pk").first()
        if params or stored is None:
            return Response(staffing_plan(**{_arg(k): v for k, v in params.items()}))
        return Response(stored.payload)


def _arg(name: str) -> str:
    return "department_id" if name == "department" else name


class ProblemMixin(ImprovementView):
    def get_problem(self) -> Problem:
        found = selectors.list_problems_for(self.request.actor).filter(pk=self.kwargs["pk"])
        problem = found.first()
        if problem is None:
            raise Http404
        return problem

    def render(self, problem: Problem, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.list_problems_for(self.request.actor).get(pk=problem.pk)
        return Response(
            s.ProblemSerializer(fresh, context=self.get_serializer_context()).data, code
        )


@extend_schema(tags=["improvement"])
class ProblemListCreate(ProblemMixin, generics.ListCreateAPIView):
    serializer_class = s.ProblemSerializer

    def get_queryset(self):
        if self.schema_only():
            return Problem.objects.none()
        return selectors.list_problems_for(self.request.actor).prefetch_related(
            "requests", "events__actor"
        )

    @extend_schema(
        summary="Problem records (corrective actions) you may see", examples=[ex.PROBLEM]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Open a problem record (by hand, from a quality alert or a feedback theme)",
        request=s.ProblemCreateSerializer,
        responses={201: s.ProblemSerializer},
        examples=[ex.CREATE, ex.PROBLEM],
    )
    @idempotent_post
    def post(self, request, *args, **kwargs):
        data = s.ProblemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        problem = services.do_open_problem(
            actor=request.actor,
            title=fields.pop("title"),
            requests=fields.pop("requests", []),
            feedback_ids=fields.pop("feedback", []),
            **{k: v for k, v in fields.items() if v not in (None, "")},
        )
        return self.render(problem, status.HTTP_201_CREATED)


@extend_schema(tags=["improvement"])
class ProblemDetail(ProblemMixin, generics.GenericAPIView):
    serializer_class = s.ProblemSerializer

    @extend_schema(summary="Read a problem record with its log", examples=[ex.PROBLEM])
    def get(self, request, pk):
        return self.render(self.get_problem())

    @extend_schema(
        summary="Edit root cause, corrective action, owner, due date, indicator...",
        request=s.ProblemUpdateSerializer,
        responses={200: s.ProblemSerializer},
        examples=[ex.UPDATE, ex.PROBLEM],
    )
    def patch(self, request, pk):
        data = s.ProblemUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = fields.pop("version", None)
        problem = services.do_update_problem(
            self.get_problem(), actor=request.actor, expected_version=version, **fields
        )
        return self.render(problem)


@extend_schema(
    tags=["improvement"],
    parameters=[
        OpenApiParameter(
            "name",
            str,
            OpenApiParameter.PATH,
            description="analyse, plan, implement, verify (measures first), reopen or cancel",
        )
    ],
)
class ProblemTransition(ProblemMixin, generics.GenericAPIView):
    serializer_class = s.ProblemTransitionSerializer

    @extend_schema(
        summary="Move a problem record; `verify` measures before/after and verifies or reopens",
        request=s.ProblemTransitionSerializer,
        responses={200: s.ProblemSerializer},
        examples=[ex.TRANSITION, ex.PROBLEM],
    )
    @idempotent_post
    def post(self, request, pk, name):
        data = s.ProblemTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = data.validated_data.get("version")
        problem = self.get_problem()
        if name == "verify":
            done = services.do_verify_problem(
                problem, actor=request.actor, expected_version=version
            )
        else:
            done = services.transition_problem(
                problem,
                name,
                actor=request.actor,
                expected_version=version,
                reason=data.validated_data["reason"],
            )
        return self.render(done)
