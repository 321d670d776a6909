"""Scenario endpoints: department leads and supervisors with staff status store a process
change, a worker runs it, they read the as-is and the scenario side by side."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status
from rest_framework.response import Response

from apps.api.idempotency import idempotent_post
from apps.api.permissions import IsLead, IsStaff
from apps.simulation.api import schema_examples as ex
from apps.simulation.api.serializers import ScenarioCreateSerializer, ScenarioSerializer
from apps.simulation.models import Scenario
from apps.simulation.services import do_request_scenario
from apps.tickets.api.views import ActorMixin


class ScenarioView(ActorMixin, generics.GenericAPIView):
    permission_classes = [IsStaff, IsLead]
    permission_message = _("What-if scenarios are for department leads.")
    serializer_class = ScenarioSerializer

    def get_queryset(self):
        return Scenario.objects.select_related("created_by")


@extend_schema(tags=["simulation"])
class ScenarioListCreate(mixins.ListModelMixin, ScenarioView):
    @extend_schema(summary="Stored what-if scenarios, newest first", examples=[ex.SCENARIO])
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Store a scenario; a worker validates the as-is model and runs it beside it",
        request=ScenarioCreateSerializer,
        responses={201: ScenarioSerializer},
        examples=[ex.CREATE, ex.SCENARIO],
    )
    @idempotent_post
    def post(self, request, *args, **kwargs):
        data = ScenarioCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        scenario = do_request_scenario(
            user=request.user,
            name=fields.pop("name"),
            changes=dict(fields.pop("changes")),
            **fields,
        )
        return Response(
            ScenarioSerializer(scenario).data,
            status.HTTP_201_CREATED,
            headers={"Location": reverse("scenario-detail", kwargs={"pk": scenario.pk})},
        )


@extend_schema(tags=["simulation"])
class ScenarioDetail(ScenarioView):
    @extend_schema(
        summary="A scenario: its status, the validation and the results", examples=[ex.SCENARIO]
    )
    def get(self, request, pk):
        return Response(ScenarioSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)
