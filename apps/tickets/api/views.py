"""Request endpoints: thin views that parse input, call the door or a selector, and render."""

import re

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from apps.accounts.actors import Role
from apps.api.errors import error_body
from apps.api.filters import names_a_filter
from apps.api.idempotency import idempotent, idempotent_post
from apps.api.parsers import JSONParser, MultiPartParser
from apps.api.permissions import IsAgent, actor_of
from apps.api.schema_strict import IF_MATCH_PATTERN
from apps.core.errors import Forbidden, InvalidData
from apps.core.prefetch import set_absent
from apps.lifecycle.states import TERMINAL
from apps.tickets import attachments, extensions, page_sql, selectors, services
from apps.tickets.api import schema_examples as ex
from apps.tickets.api.filters import QueueFilter, RequestFilter
from apps.tickets.api.inputs import (
    FeedbackSerializer,
    MessageCreateSerializer,
    MessageUploadSerializer,
    RequestCreateSerializer,
    RequestUploadSerializer,
    TransitionSerializer,
)
from apps.tickets.api.serializers import CategorySerializer, MessageSerializer, RequestSerializer
from apps.tickets.feedback import do_give_feedback
from apps.tickets.models import Category, Feedback, Message, ServiceRequest
from apps.tickets.transition_data import transition_data

REF = OpenApiParameter(
    "ref", str, OpenApiParameter.PATH, description="The request's reference, e.g. SR-000123"
)


def parse_with_files(request, json_input, upload_input) -> tuple[dict, list]:
    """The body's validated fields and its files: JSON through `json_input`, a multipart body
    through `upload_input` (the same fields and `files`). Files in JSON are refused, not
    ignored: a client that sends them there expects them attached."""
    if (request.content_type or "").startswith("multipart/form-data"):
        data = upload_input(data=request.data)
    else:
        if isinstance(request.data, dict) and "files" in request.data:
            raise InvalidData(
                _("Files are uploaded in a multipart/form-data body."),
                fields={"files": _("Send the files as multipart/form-data parts named files.")},
            )
        data = json_input(data=request.data)
    data.is_valid(raise_exception=True)
    fields = dict(data.validated_data)
    files = [attachments.IncomingFile.from_upload(f) for f in fields.pop("files", [])]
    return fields, files


class ActorMixin:
    """Resolves the caller to an actor once per request and loads the request in the URL."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        actor_of(request)  # sets request.actor; 403 for an account the desk does not serve

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": getattr(self.request, "actor", None)}

    def schema_only(self) -> bool:
        """True while drf-spectacular inspects the view (no caller, no actor)."""
        return getattr(self, "swagger_fake_view", False)

    def get_service_request(self, *, with_sla: bool = False):
        """The request named in the URL, or 404 (also for requests the caller may not see)."""
        found = selectors.get_request_for(self.request.actor, self.kwargs["ref"], with_sla=with_sla)
        if found is None:
            raise Http404
        return found


class PageLoaded:
    """A list of requests from `selectors.list_page_requests_for`: each page gets its SLA
    clocks and files after pagination, only for the rows that have any."""

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            selectors.load_page(page, self.request.actor)
        return page


@extend_schema(tags=["requests"])
class RequestListCreate(PageLoaded, ActorMixin, generics.ListCreateAPIView):
    serializer_class = RequestSerializer
    filterset_class = RequestFilter
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        if self.schema_only():
            return ServiceRequest.objects.none()
        return selectors.list_page_requests_for(self.request.actor)

    @extend_schema(summary="List the requests you may see", examples=[ex.REQUEST])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        """The unfiltered list (the call clients poll) is read by one hand-written statement
        (apps/tickets/page_sql.py): the same rows, count and representation, without Django
        compiling the page's query on each call; a filtered list goes through the ORM."""
        source = None
        if not names_a_filter(request, self):
            source = page_sql.request_page_source(request.actor)
        if source is None:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(source)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Submit a request (JSON, or multipart/form-data with files)",
        request={
            "application/json": RequestCreateSerializer,
            "multipart/form-data": RequestUploadSerializer,
        },
        responses={201: RequestSerializer},
        examples=[ex.CREATE, ex.REQUEST, ex.FILE_REFUSED],
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A retried POST with the same key and body returns the "
                "first response instead of creating a duplicate.",
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        return idempotent(request, "POST /api/v1/requests/", self._create)

    def _create(self) -> Response:
        actor = self.request.actor
        named = self.request.data.get("customer") if isinstance(self.request.data, dict) else None
        own = (None, "", actor.customer_id, str(actor.customer_id))
        if actor.role == Role.CUSTOMER and named not in own:
            # Refused before validation, so a customer cannot probe which customer ids exist.
            raise Forbidden(_("Customers submit requests for themselves only."))
        fields, files = parse_with_files(
            self.request, RequestCreateSerializer, RequestUploadSerializer
        )
        fields["declared_attachments"] = fields.pop("attachments", [])
        customer = fields.pop("customer")
        if actor.role == Role.CUSTOMER:
            customer = self.request.user.customer
        elif customer is None:
            raise InvalidData(
                _("Agents name the customer the request is for."),
                fields={"customer": _("Required when an agent submits.")},
            )
        created = attachments.do_submit_request_with_files(
            actor=actor, customer=customer, files=files, **fields
        )
        # Rendered from the instance the door created, which holds its customer, category and
        # SLA clocks; it has no forecast (or other app's one-to-one row) yet. Reading any of it
        # back was a third of a create (docs/performance.md).
        for relation in extensions.related_one_to_one():
            set_absent(created, relation)
        return Response(
            RequestSerializer(created, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("request-detail", kwargs={"ref": created.reference})},
        )


@extend_schema(tags=["requests"], parameters=[REF])
class RequestDetail(ActorMixin, generics.RetrieveAPIView):
    serializer_class = RequestSerializer

    def get_object(self):
        return self.get_service_request(with_sla=True)

    @extend_schema(summary="Read a request", examples=[ex.REQUEST])
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["ETag"] = version_etag(response.data["version"])
        return response


@extend_schema(tags=["messages"], parameters=[REF])
class RequestMessages(ActorMixin, generics.ListCreateAPIView):
    serializer_class = MessageSerializer
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        if self.schema_only():
            return Message.objects.none()
        return selectors.list_messages_for(self.request.actor, self.get_service_request())

    @extend_schema(
        summary="List the messages of a request (customers: public replies only)",
        examples=[ex.MESSAGES],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Post a reply (agents: or an internal note), with files as multipart/form-data",
        request={
            "application/json": MessageCreateSerializer,
            "multipart/form-data": MessageUploadSerializer,
        },
        responses={201: MessageSerializer},
        examples=[ex.MESSAGE, ex.FILE_REFUSED],
    )
    @idempotent_post
    def post(self, request, *args, **kwargs):
        target = self.get_service_request()
        fields, files = parse_with_files(request, MessageCreateSerializer, MessageUploadSerializer)
        message = attachments.do_post_message_with_files(
            target, actor=request.actor, files=files, **fields
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["requests"],
    parameters=[
        REF,
        OpenApiParameter(
            "name",
            str,
            OpenApiParameter.PATH,
            description="A transition listed in `allowed_transitions`",
        ),
    ],
)
class RequestTransition(ActorMixin, generics.GenericAPIView):
    serializer_class = TransitionSerializer

    @extend_schema(
        summary="Run a transition",
        request=TransitionSerializer,
        responses={200: RequestSerializer},
        examples=[ex.TRANSITION, ex.CONFLICT],
    )
    @idempotent_post
    def post(self, request, ref, name):
        target = self.get_service_request()
        if name not in services.TRANSITION_NAMES:
            # No such resource (404), unlike a transition not possible now (409).
            message = _("There is no transition '%(name)s'.") % {"name": name}
            allowed = target.transitions_for(request.actor)
            body = error_body("not_found", message, state=target.state, allowed=allowed)
            return Response(body, status=status.HTTP_404_NOT_FOUND)
        if name == "merge":
            # The conversation moves with a merge: its own endpoint takes the other request.
            raise InvalidData(
                _("Merge with POST %(url)s and the request to merge into.")
                % {"url": reverse("request-merge", kwargs={"ref": target.reference})},
                fields={"into": _("Required, at the merge endpoint.")},
            )
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = expected_version(request, target, data.validated_data.get("version"))
        if isinstance(expected, Response):
            return expected
        changed = services.transition(
            target,
            name,
            actor=request.actor,
            reason=data.validated_data["reason"],
            expected_version=expected,
            data=transition_data(name, data.transition_data()),
        )
        changed = selectors.list_requests_for(request.actor).filter(pk=changed.pk).first()
        if changed is None:  # the transition moved it out of the caller's sight (transfer)
            return Response(status=status.HTTP_204_NO_CONTENT)
        body = RequestSerializer(changed, context=self.get_serializer_context()).data
        return Response(body, headers={"ETag": version_etag(changed.version)})


def version_etag(version: int) -> str:
    """A request's ETag: its version, which every change raises."""
    return f'"{version}"'


def expected_version(request, target, version: int | None) -> int | Response | None:
    """The version a write expects: `version` from the body, else the one `If-Match` names
    (None without either); a 412 response to return when `If-Match` names another version
    than the request's now."""
    if version is not None:
        return version
    expected = version_from_if_match(request)
    if expected is not None and expected != target.version:
        return precondition_failed(target)
    return expected


def version_from_if_match(request) -> int | None:
    """The version an `If-Match: "<version>"` header names (None without one); a header that
    names no version is a 400."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    named = re.fullmatch(IF_MATCH_PATTERN, header.strip())
    if named is None:
        raise InvalidData(
            _("If-Match takes the ETag of the request, its version in quotes."),
            fields={"If-Match": _("Not an ETag of this API.")},
        )
    return int(named.group(1))


def precondition_failed(target) -> Response:
    message = _("%(reference)s changed since the ETag you sent; read it again.") % {
        "reference": target.reference
    }
    body = error_body("precondition_failed", message, state=target.state, version=target.version)
    return Response(body, status=status.HTTP_412_PRECONDITION_FAILED)


@extend_schema(tags=["feedback"], parameters=[REF])
class RequestFeedback(ActorMixin, generics.GenericAPIView):
    serializer_class = FeedbackSerializer

    @extend_schema(summary="Read the feedback given on a request", examples=[ex.FEEDBACK_GIVEN])
    def get(self, request, ref):
        feedback = Feedback.objects.filter(request=self.get_service_request()).first()
        if feedback is None:
            raise Http404
        return Response(FeedbackSerializer(feedback).data)

    @extend_schema(
        summary="Rate a resolved request (CSAT 1-5)",
        responses={201: FeedbackSerializer},
        examples=[ex.FEEDBACK],
    )
    @idempotent_post
    def post(self, request, ref):
        target = self.get_service_request()
        data = FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = do_give_feedback(target, actor=request.actor, **data.validated_data)
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["agents"])
class Queue(PageLoaded, ActorMixin, generics.ListAPIView):
    """Requests of the agent's departments (and untriaged ones), for working the queue."""

    serializer_class = RequestSerializer
    filterset_class = QueueFilter
    permission_classes = [IsAgent]
    permission_message = "The queue is for agents."

    def get_queryset(self):
        if self.schema_only():
            return ServiceRequest.objects.none()
        queue = selectors.list_page_requests_for(self.request.actor).order_by(
            "priority", "created_at"
        )
        if "state" not in self.request.query_params:
            queue = queue.exclude(state__in=TERMINAL)  # open work, unless asked otherwise
        return queue

    @extend_schema(summary="Your departments' queue", examples=[ex.REQUEST])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["requests"])
class CategoryList(generics.ListAPIView):
    """The active categories a request may name (`category` on submit takes the id)."""

    serializer_class = CategorySerializer
    queryset = Category.objects.filter(is_active=True).order_by("name")

    @extend_schema(summary="List the categories a request may name", examples=[ex.CATEGORY])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
