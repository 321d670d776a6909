"""The macro API for agents: the macros they may use, those usable on a request (rendered for
its customer), and applying one (reply, then its transition) through the door."""

from django.conf import settings
from django.http import Http404
from django.utils import translation
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from apps.api.idempotency import idempotent_post
from apps.api.permissions import IsAgent
from apps.api.strict_input import RefusesUnknownFields
from apps.macros import selectors, services, variables
from apps.macros.models import MAX_BODY, Macro
from apps.tickets import selectors as request_selectors
from apps.tickets.api.serializers import MessageSerializer, RequestSerializer
from apps.tickets.api.views import REF, ActorMixin, expected_version, version_etag

MACRO_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The macro's id")
_MACRO = {
    "id": 2,
    "name": "Fixed, please confirm",
    "department": {"id": 1, "name": "IT support"},
    "language": "en",
    "languages": ["en", "zh-hans"],
    "transition": "resolve",
    "usage_count": 41,
    "last_used_at": "2026-11-20T09:14:03Z",
}
MACRO = OpenApiExample("A macro", response_only=True, value=_MACRO)
REQUEST_MACRO = OpenApiExample(
    "A macro on a request",
    response_only=True,
    value=[
        {
            **_MACRO,
            "text": "Hello Carol,\n\nSR-000042 (VPN drops every hour) is fixed.\n\nAlice Agent",
            "text_language": "en",
            "open_now": True,
        }
    ],
)
APPLY = OpenApiExample("Send the macro's text", request_only=True, value={"version": 6})
APPLIED = OpenApiExample(
    "Replied and resolved",
    response_only=True,
    value={
        "message": {
            "id": 88,
            "author": "Alice Agent",
            "author_role": "agent",
            "visibility": "public",
            "body": "Hello Carol,\n\nSR-000042 (VPN drops every hour) is fixed.\n\nAlice Agent",
            "attachments": [],
            "created_at": "2026-11-20T09:20:11Z",
        },
        "request": {"reference": "SR-000042", "state": "resolved", "version": 7, "...": "..."},
    },
)


class MacroSerializer(serializers.Serializer):
    """A macro as its user sees it: the name in their language; `department` empty for a
    personal one."""

    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    language = serializers.CharField(help_text="The language of the macro's own text.")
    languages = serializers.SerializerMethodField(help_text="Every language it has a text in.")
    transition = serializers.CharField(help_text="Run after the reply; empty: reply only.")
    usage_count = serializers.IntegerField()
    last_used_at = serializers.DateTimeField(allow_null=True)

    def get_name(self, macro: Macro) -> str:
        return macro.name_in(translation.get_language() or settings.LANGUAGE_CODE)

    def get_department(self, macro: Macro) -> dict | None:
        if macro.department is None:
            return None
        return {"id": macro.department.pk, "name": macro.department.name}

    def get_languages(self, macro: Macro) -> list[str]:
        return sorted({macro.language, *(t.language for t in macro.translations.all())})


class RequestMacroSerializer(MacroSerializer):
    """A macro on one request: its reply rendered for that customer, and whether its
    transition is open to the caller now."""

    text = serializers.CharField(help_text="The reply, variables filled in.")
    text_language = serializers.CharField(help_text="The customer's language, else the macro's.")
    open_now = serializers.BooleanField(help_text="Its transition may run now (or it has none).")


class ApplySerializer(RefusesUnknownFields, serializers.Serializer):
    body = serializers.CharField(
        max_length=MAX_BODY,
        required=False,
        help_text="The reply as you edited it; omitted: the macro's text for this customer.",
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The request's version you saw (or send If-Match); a newer one is a conflict.",
    )


class AppliedSerializer(serializers.Serializer):
    message = MessageSerializer()
    request = RequestSerializer(allow_null=True)


@extend_schema(tags=["macros"])
class MacroList(ActorMixin, generics.ListAPIView):
    """The active macros the caller may use: their personal ones and their departments'."""

    serializer_class = MacroSerializer
    permission_classes = [IsAgent]
    permission_message = "Macros are for agents."

    def get_queryset(self):
        if self.schema_only():
            return Macro.objects.none()
        return selectors.list_macros_for(self.request.actor)

    @extend_schema(summary="List your macros", examples=[MACRO])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["macros"], parameters=[REF])
class RequestMacros(ActorMixin, generics.GenericAPIView):
    serializer_class = RequestMacroSerializer
    pagination_class = None  # a desk has a handful; all of them, rendered, in one answer
    queryset = Macro.objects.none()  # for the schema; the view reads through the selectors
    permission_classes = [IsAgent]
    permission_message = "Macros are for agents."

    @extend_schema(
        summary="The macros usable on a request, rendered for its customer",
        responses={200: RequestMacroSerializer(many=True)},
        examples=[REQUEST_MACRO],
    )
    def get(self, request, ref):
        target = self.get_service_request()
        open_now = set(target.transitions_for(request.actor))
        rows = []
        for macro in selectors.list_macros_for(request.actor):
            try:
                rendered = selectors.render_for(macro, target, request.user)
            except variables.UnknownVariable:
                continue
            macro.text, macro.text_language = rendered.text, rendered.language
            macro.open_now = not macro.transition or macro.transition in open_now
            rows.append(macro)
        return Response(RequestMacroSerializer(rows, many=True).data)


@extend_schema(tags=["macros"], parameters=[REF, MACRO_ID])
class ApplyMacro(ActorMixin, generics.GenericAPIView):
    serializer_class = ApplySerializer
    queryset = Macro.objects.none()  # for the schema; the view reads through the selectors
    permission_classes = [IsAgent]
    permission_message = "Macros are for agents."

    @extend_schema(
        summary="Reply with a macro, then run its transition (all or nothing)",
        request=ApplySerializer,
        responses={200: AppliedSerializer},
        examples=[APPLY, APPLIED],
    )
    @idempotent_post
    def post(self, request, ref, id):
        target = self.get_service_request()
        macro = selectors.get_macro_for(request.actor, id)
        if macro is None:
            raise Http404
        data = ApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = expected_version(request, target, data.validated_data.get("version"))
        if isinstance(expected, Response):
            return expected
        applied = services.do_apply_macro(
            target,
            macro=macro,
            actor=request.actor,
            body=data.validated_data.get("body"),
            expected_version=expected,
        )
        changed = request_selectors.list_requests_for(request.actor).filter(pk=target.pk).first()
        context = self.get_serializer_context()
        body = {
            "message": MessageSerializer(applied.message).data,
            "request": RequestSerializer(changed, context=context).data if changed else None,
        }
        headers = {"ETag": version_etag(changed.version)} if changed else {}
        return Response(body, headers=headers)
