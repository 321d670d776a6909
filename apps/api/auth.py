"""Signing in to the API: username and password for a token (throttled against brute force),
and signing out (this token, or every token of the caller)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import (
    CharField,
    DateTimeField,
    IntegerField,
    ListField,
    Serializer,
)
from rest_framework.views import APIView

from apps.accounts.actors import actor_for_user
from apps.api import schema_examples as ex
from apps.api.parsers import JSONParser
from apps.api.strict_input import RefusesUnknownFields
from apps.api.tokens import do_issue_token, do_revoke_tokens
from apps.core.errors import Forbidden


class SignInSerializer(RefusesUnknownFields, AuthTokenSerializer):
    """Username and password (DRF's), nothing else."""


class TokenSerializer(Serializer):
    token = CharField(help_text="Send it as `Authorization: Token <token>`; shown only once")
    expiry = DateTimeField(
        allow_null=True,
        help_text="When it expires unless used; each use moves this on, up to a maximum age",
    )


class ObtainToken(GenericAPIView):
    # Anyone may try to sign in; the "auth" scope throttles the tries per address.
    permission_classes = ()
    authentication_classes = ()
    throttle_scope = "auth"
    parser_classes = (FormParser, MultiPartParser, JSONParser)
    serializer_class = SignInSerializer

    @extend_schema(
        tags=["auth"],
        summary="Exchange username and password for a token",
        responses=TokenSerializer,
        examples=[ex.TOKEN_REQUEST, ex.TOKEN],
    )
    def post(self, request, *args, **kwargs):
        credentials = self.get_serializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        row, token = do_issue_token(user=credentials.validated_data["user"])
        return Response(TokenSerializer({"token": token, "expiry": row.expiry}).data)


# 204 has no body: the example is the answer to a call without a valid token.
SIGNED_OUT = {
    204: OpenApiResponse(description="Revoked."),
    401: OpenApiResponse(
        response=OpenApiTypes.OBJECT,
        description="No valid token.",
        examples=[
            OpenApiExample(
                "Not signed in",
                value={
                    "error": {
                        "code": "not_authenticated",
                        "message": "Authentication credentials were not provided.",
                    }
                },
            )
        ],
    ),
}


class SignOut(APIView):
    # An APIView: OPTIONS on a GenericAPIView without a serializer was a 500.
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"], summary="Revoke the token of this call", request=None, responses=SIGNED_OUT
    )
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutEverywhere(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="Revoke every token of the caller",
        request=None,
        responses=SIGNED_OUT,
    )
    def post(self, request):
        do_revoke_tokens(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
