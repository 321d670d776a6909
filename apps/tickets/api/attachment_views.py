"""Attachment endpoints: a request's files, and downloading one (never a public URL)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics

from apps.tickets import attachments, selectors
from apps.tickets.api import schema_examples as ex
from apps.tickets.api.serializers import AttachmentSerializer
from apps.tickets.api.views import REF, ActorMixin
from apps.tickets.models import Attachment

ATTACHMENT_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The attachment's id (from `attachments`)"
)


@extend_schema(tags=["attachments"], parameters=[REF])
class RequestAttachments(ActorMixin, generics.ListAPIView):
    serializer_class = AttachmentSerializer

    def get_queryset(self):
        if self.schema_only():
            return Attachment.objects.none()
        return selectors.list_attachments_for(self.request.actor, self.get_service_request())

    @extend_schema(
        summary="List a request's files (customers: never an internal note's)",
        examples=[ex.ATTACHMENTS],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["attachments"], parameters=[REF, ATTACHMENT_ID])
class AttachmentDownload(ActorMixin, generics.GenericAPIView):
    serializer_class = AttachmentSerializer

    def perform_content_negotiation(self, request, force=False):
        # The file answers any Accept header; errors are JSON whatever was asked for.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download a file",
        description="The file as stored, with its recognised type, as an attachment "
        "(`Content-Disposition: attachment`), never cached by shared caches.",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file (its own Content-Type)."
            ),
            **{(200, media): OpenApiTypes.BINARY for media in attachments.served_types()},
            404: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="No such file, or not one you may see.",
                examples=[ex.NOT_FOUND],
            ),
        },
    )
    def get(self, request, ref, id):
        target = self.get_service_request()
        found = attachments.open_attachment_for(request.actor, id, service_request=target)
        if found is None:
            raise Http404
        return attachments.download_response(*found)
