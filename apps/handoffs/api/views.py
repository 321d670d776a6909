"""Handoff endpoints: thin views over the handoff services and selectors; agents only."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from apps.api.idempotency import idempotent_post
from apps.api.permissions import IsAgent
from apps.handoffs import selectors, services
from apps.handoffs.api import schema_examples as ex
from apps.handoffs.api.filters import HandoffFilter
from apps.handoffs.api.serializers import (
    HandoffCreateSerializer,
    HandoffSerializer,
    HandoffTransitionSerializer,
)
from apps.handoffs.models import Handoff
from apps.tickets.api.views import REF, ActorMixin

# Each transition's service and the body fields it takes.
_RUN = {
    "accept": (services.do_accept_handoff, ()),
    "decline": (services.do_decline_handoff, ("reason",)),
    "complete": (services.do_complete_handoff, ("result",)),
    "cancel": (services.do_cancel_handoff, ("reason",)),
}


class HandoffView(ActorMixin):
    """Handoff notes are internal: customers get 403 on every handoff endpoint."""

    permission_classes = [IsAgent]
    permission_message = _("Handoffs are for agents.")

    def get_handoff(self) -> Handoff:
        found = selectors.get_handoff_for(self.request.actor, self.kwargs["pk"])
        if found is None:
            raise Http404
        return found

    def render(self, handoff: Handoff, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.get_handoff_for(self.request.actor, handoff.pk)
        if fresh is None:  # it moved out of the caller's sight
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(HandoffSerializer(fresh, context=self.get_serializer_context()).data, code)


@extend_schema(tags=["handoffs"], parameters=[REF])
class RequestHandoffs(HandoffView, generics.ListCreateAPIView):
    serializer_class = HandoffSerializer
    pagination_class = None

    def get_queryset(self):
        if self.schema_only():
            return Handoff.objects.none()
        return selectors.list_handoffs_of_request(self.request.actor, self.get_service_request())

    @extend_schema(
        summary="The request's handoff history (the owning department's agents)",
        examples=[ex.HANDOFFS],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Hand the request to another department (transfer) or ask it (consult)",
        request=HandoffCreateSerializer,
        responses={201: HandoffSerializer},
        examples=[ex.CREATE, ex.HANDOFF],
    )
    @idempotent_post
    def post(self, request, *args, **kwargs):
        target = self.get_service_request()
        data = HandoffCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handoff = services.do_request_handoff(target, actor=request.actor, **data.validated_data)
        return self.render(handoff, status.HTTP_201_CREATED)


@extend_schema(tags=["handoffs"])
class HandoffList(HandoffView, generics.ListAPIView):
    serializer_class = HandoffSerializer
    filterset_class = HandoffFilter

    def get_queryset(self):
        if self.schema_only():
            return Handoff.objects.none()
        return selectors.list_handoffs_for(self.request.actor)

    @extend_schema(
        summary="Handoffs your departments sent, received or now hold", examples=[ex.HANDOFF]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["handoffs"])
class HandoffInbox(HandoffView, generics.ListAPIView):
    serializer_class = HandoffSerializer
    filterset_class = HandoffFilter

    def get_queryset(self):
        if self.schema_only():
            return Handoff.objects.none()
        everything = "state" in self.request.query_params
        inbox = selectors.list_inbox_for(self.request.actor, open_only=not everything)
        return inbox.order_by("requested_at", "pk")

    @extend_schema(
        summary="Your departments' inbox: handoffs to accept, decline or complete (open ones "
        "unless `state` is given), oldest first",
        examples=[ex.HANDOFF],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["handoffs"])
class HandoffDetail(HandoffView, generics.RetrieveAPIView):
    serializer_class = HandoffSerializer

    def get_object(self):
        return self.get_handoff()

    @extend_schema(summary="Read a handoff", examples=[ex.HANDOFF])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(
    tags=["handoffs"],
    parameters=[
        OpenApiParameter(
            "name", str, OpenApiParameter.PATH, description="accept, decline, complete or cancel"
        )
    ],
)
class HandoffTransition(HandoffView, generics.GenericAPIView):
    serializer_class = HandoffTransitionSerializer

    @extend_schema(
        summary="Accept, decline, complete or cancel a handoff",
        request=HandoffTransitionSerializer,
        responses={200: HandoffSerializer},
        examples=[ex.TRANSITION, ex.HANDOFF],
    )
    @idempotent_post
    def post(self, request, pk, name):
        if name not in _RUN:
            raise Http404
        handoff = self.get_handoff()
        data = HandoffTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run, fields = _RUN[name]
        done = run(
            handoff,
            actor=request.actor,
            expected_version=data.validated_data.get("version"),
            **{field: data.validated_data[field] for field in fields},
        )
        return self.render(done)
