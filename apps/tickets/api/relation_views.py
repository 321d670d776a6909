"""Merge and link endpoints (agents): a duplicate merged into another request, related links."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from apps.api.idempotency import idempotent_post
from apps.api.permissions import IsAgent
from apps.core.errors import InvalidData
from apps.lifecycle.reference import format_reference
from apps.tickets import related, selectors
from apps.tickets.api import schema_examples as ex
from apps.tickets.api.inputs import LinkSerializer, MergeSerializer
from apps.tickets.api.serializers import LinkedRequestSerializer, RequestSerializer
from apps.tickets.api.views import (
    REF,
    ActorMixin,
    precondition_failed,
    version_etag,
    version_from_if_match,
)
from apps.tickets.merging import do_merge_requests
from apps.tickets.models import ServiceRequest

OTHER = OpenApiParameter(
    "other", str, OpenApiParameter.PATH, description="The linked request's reference"
)


def other_request(actor, reference: str, field: str) -> ServiceRequest:
    """The request a body names, if the caller may see it; else a 400 naming the field."""
    found = selectors.get_request_for(actor, reference, with_sla=False)
    if found is None:
        raise InvalidData(
            _("No request %(ref)s that you can see.") % {"ref": reference},
            fields={field: _("A request you can see, e.g. SR-000123.")},
        )
    return found


@extend_schema(tags=["agents"], parameters=[REF])
class RequestMerge(ActorMixin, generics.GenericAPIView):
    """Merge a duplicate into another request of the same customer (agents)."""

    queryset = ServiceRequest.objects.none()  # (the schema's path parameters; never read)
    serializer_class = MergeSerializer
    permission_classes = [IsAgent]
    permission_message = "Agents merge requests."

    @extend_schema(
        summary="Merge this request (a duplicate) into another of the same customer",
        description="Its messages and files move to the other request, and it is closed with "
        "`merged_into` pointing there. Send the version you saw (or If-Match).",
        request=MergeSerializer,
        responses={200: RequestSerializer},
        examples=[ex.MERGE, ex.MERGED],
    )
    @idempotent_post
    def post(self, request, ref):
        duplicate = self.get_service_request()
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = data.validated_data.get("version")
        if expected is None:
            expected = version_from_if_match(request)
            if expected is not None and expected != duplicate.version:
                return precondition_failed(duplicate)
        target = other_request(request.actor, data.validated_data["into"], "into")
        merged = do_merge_requests(
            duplicate,
            into=target,
            actor=request.actor,
            expected_version=expected,
            reason=data.validated_data["reason"],
        )
        merged = selectors.get_request_for(request.actor, merged.reference)
        body = RequestSerializer(merged, context=self.get_serializer_context()).data
        return Response(body, headers={"ETag": version_etag(body["version"])})


def _related_rows(actor, service_request: ServiceRequest) -> list[dict]:
    """The request's relations the caller may see, for LinkedRequestSerializer."""
    found = related.related_of(service_request)
    kinds = [
        *((r, "related") for r in found.links),
        *((r, "merged_here") for r in found.merged_here),
        *([(found.merged_into, "merged_into")] if found.merged_into else []),
    ]
    visible = set(
        selectors.list_requests_for(actor, with_sla=False)
        .filter(pk__in=[r.pk for r, _kind in kinds])
        .values_list("pk", flat=True)
    )
    return [
        {
            "reference": format_reference(r.pk),
            "subject": r.subject,
            "state": r.state,
            "relation": kind,
        }
        for r, kind in kinds
        if r.pk in visible
    ]


@extend_schema(tags=["agents"], parameters=[REF])
class RequestLinks(ActorMixin, generics.GenericAPIView):
    """The requests related to this one; link another (agents)."""

    queryset = ServiceRequest.objects.none()  # (the schema's path parameters; never read)
    serializer_class = LinkSerializer
    permission_classes = [IsAgent]
    permission_message = "Agents link requests."
    pagination_class = None  # a handful of requests: one plain list

    @extend_schema(
        summary="List the requests related to this one (linked, merged here, merged into)",
        responses={200: LinkedRequestSerializer(many=True)},
        examples=[ex.LINKS],
    )
    def get(self, request, ref):
        rows = _related_rows(request.actor, self.get_service_request())
        return Response(LinkedRequestSerializer(rows, many=True).data)

    @extend_schema(
        summary="Link this request to a related one (both logs record it)",
        request=LinkSerializer,
        responses={201: LinkedRequestSerializer(many=True)},
        examples=[ex.LINK, ex.LINKS],
    )
    @idempotent_post
    def post(self, request, ref):
        service_request = self.get_service_request()
        data = LinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = other_request(request.actor, data.validated_data["to"], "to")
        related.do_link_requests(service_request, to=other, actor=request.actor)
        rows = _related_rows(request.actor, service_request)
        return Response(LinkedRequestSerializer(rows, many=True).data, status=201)


@extend_schema(tags=["agents"], parameters=[REF, OTHER])
class RequestLinkDetail(ActorMixin, generics.GenericAPIView):
    """One link of the request (agents)."""

    queryset = ServiceRequest.objects.none()  # (the schema's path parameters; never read)
    serializer_class = LinkSerializer
    permission_classes = [IsAgent]
    permission_message = "Agents unlink requests."

    @extend_schema(
        summary="Remove the link to another request",
        # 204 has no body: the example is the answer for requests that are not linked.
        responses={
            204: OpenApiResponse(description="Unlinked."),
            409: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="The two requests are not linked.",
                examples=[ex.UNLINKED],
            ),
        },
    )
    def delete(self, request, ref, other):
        service_request = self.get_service_request()
        found = selectors.get_request_for(request.actor, other, with_sla=False)
        if found is None:
            raise Http404
        related.do_unlink_requests(service_request, to=found, actor=request.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)
