"""An agent sets their own availability (online, away, offline) through the one door."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.serializers import ChoiceField, Serializer

from apps.accounts.models import Availability
from apps.accounts.services import do_set_availability
from apps.api import schema_examples as ex
from apps.api.idempotency import idempotent_post
from apps.api.permissions import IsAgent, actor_of
from apps.api.strict_input import RefusesUnknownFields
from apps.core.errors import Forbidden


class AvailabilitySerializer(RefusesUnknownFields, Serializer):
    availability = ChoiceField(
        choices=Availability.choices,
        help_text="online: takes new requests; away or offline: none, and unstarted ones may be "
        "requeued (per department)",
    )


class MyAvailability(GenericAPIView):
    serializer_class = AvailabilitySerializer
    # Checked before the body, so a customer learns nothing from a bad value.
    permission_classes = [IsAgent]
    permission_message = "Only agents have an availability."

    @extend_schema(
        tags=["agents"],
        summary="Set your availability (agents)",
        request=AvailabilitySerializer,
        responses={200: AvailabilitySerializer},
        examples=[ex.AVAILABILITY_REQUEST, ex.AVAILABILITY],
    )
    @idempotent_post
    def post(self, request):
        actor = actor_of(request)
        if actor.agent_id is None:  # a supervisor without an agent profile of their own
            raise Forbidden(MyAvailability.permission_message)
        data = AvailabilitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agent = do_set_availability(
            request.user.agent, data.validated_data["availability"], actor=actor
        )
        return Response({"availability": agent.availability})
