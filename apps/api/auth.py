"""Signing in to the API: username and password for a token (throttled against brute force)."""

from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import CharField, IntegerField, ListField, Serializer
from rest_framework.settings import api_settings

from apps.accounts.actors import actor_for_user
from apps.api import schema_examples as ex
from apps.api.parsers import JSONParser
from apps.core.errors import Forbidden


class ObtainToken(ObtainAuthToken):
    # DRF's ObtainAuthToken turns throttling off (`throttle_classes = ()`); without the
    # defaults back, the "auth" scope would never apply and passwords could be guessed freely.
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES
    throttle_scope = "auth"
    parser_classes = (FormParser, MultiPartParser, JSONParser)

    @extend_schema(
        tags=["auth"],
        summary="Exchange username and password for a token",
        examples=[ex.TOKEN_REQUEST, ex.TOKEN],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class MeSerializer(Serializer):
    username = CharField()
    role = CharField(allow_null=True, help_text="customer or agent; null if neither")
    agent_id = IntegerField(allow_null=True, help_text="Your id as an assignee")
    customer_id = IntegerField(allow_null=True)
    departments = ListField(child=CharField())
    detail = CharField(required=False)


class Me(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    @extend_schema(tags=["auth"], summary="Who you are to the desk", examples=[ex.ME])
    def get(self, request):
        me = {
            "username": request.user.get_username(),
            "role": None,
            "agent_id": None,
            "customer_id": None,
            "departments": [],
        }
        try:
            actor = actor_for_user(request.user)
        except Forbidden as error:
            return Response({**me, "detail": error.message})
        if actor.agent_id:
            me["departments"] = sorted(
                request.user.agent.departments.values_list("name", flat=True)
            )
        return Response(
            {**me, "role": actor.role, "agent_id": actor.agent_id, "customer_id": actor.customer_id}
        )
