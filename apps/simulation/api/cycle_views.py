"""PDCA cycle endpoints beside the scenarios: department leads and supervisors with staff status
plan a cycle, record the change, run the check and decide."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status
from rest_framework.response import Response

from apps.api.idempotency import idempotent_post
from apps.api.permissions import IsLead, IsStaff
from apps.simulation.api import cycle_examples as ex
from apps.simulation.api.cycle_serializers import (
    CycleChangeSerializer,
    CycleDecisionSerializer,
    CyclePlanSerializer,
    CycleSerializer,
)
from apps.simulation.models import ImprovementCycle
from apps.simulation.pdca import services
from apps.tickets.api.views import ActorMixin


class CycleView(ActorMixin, generics.GenericAPIView):
    permission_classes = [IsStaff, IsLead]
    permission_message = _("PDCA cycles are for department leads.")
    serializer_class = CycleSerializer

    def get_queryset(self):
        return ImprovementCycle.objects.select_related(
            "owner", "planned_by", "change_recorded_by", "checked_by", "decided_by"
        )

    def cycle(self, pk: int) -> ImprovementCycle:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def answer(self, cycle: ImprovementCycle) -> Response:
        return Response(CycleSerializer(self.cycle(cycle.pk)).data)


@extend_schema(tags=["simulation"])
class CycleListCreate(mixins.ListModelMixin, CycleView):
    @extend_schema(summary="PDCA cycles, newest first", examples=[ex.CYCLE])
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Plan a cycle: a target for one scorecard indicator, and the scenario behind it",
        request=CyclePlanSerializer,
        responses={201: CycleSerializer},
        examples=[ex.PLAN, ex.CYCLE],
    )
    @idempotent_post
    def post(self, request, *args, **kwargs):
        data = CyclePlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        cycle = services.do_plan_cycle(
            user=request.user,
            title=fields.pop("title"),
            indicator=fields.pop("indicator"),
            target_value=fields.pop("target_value"),
            **fields,
        )
        return Response(
            CycleSerializer(cycle).data,
            status.HTTP_201_CREATED,
            headers={"Location": reverse("cycle-detail", kwargs={"pk": cycle.pk})},
        )


@extend_schema(tags=["simulation"])
class CycleDetail(CycleView):
    @extend_schema(
        summary="A cycle: its plan, change, check results and decision", examples=[ex.CYCLE]
    )
    def get(self, request, pk):
        return Response(CycleSerializer(self.cycle(pk)).data)


@extend_schema(tags=["simulation"])
class CycleChange(CycleView):
    @extend_schema(
        summary="Do: record the change made and its day",
        request=CycleChangeSerializer,
        responses=CycleSerializer,
        examples=[ex.CHANGE, ex.CYCLE],
    )
    def post(self, request, pk):
        data = CycleChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services.do_record_change(self.cycle(pk), user=request.user, **data.validated_data)
        return self.answer(cycle)


@extend_schema(tags=["simulation"])
class CycleCheck(CycleView):
    @extend_schema(
        summary="Check: every scorecard indicator after the change against before it",
        request=None,
        responses=CycleSerializer,
        examples=[ex.CYCLE],
    )
    def post(self, request, pk):
        return self.answer(services.do_check_cycle(self.cycle(pk), user=request.user))


@extend_schema(tags=["simulation"])
class CycleDecision(CycleView):
    @extend_schema(
        summary="Act: adopt, adjust (a next cycle is planned) or abandon",
        request=CycleDecisionSerializer,
        responses=CycleSerializer,
        examples=[ex.DECISION, ex.CYCLE],
    )
    def post(self, request, pk):
        data = CycleDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services.do_decide_cycle(self.cycle(pk), user=request.user, **data.validated_data)
        return self.answer(cycle)
