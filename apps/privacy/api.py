"""The customer's own export: `GET /api/v1/me/export/`, a zip of their personal data."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated

from apps.accounts.actors import Role
from apps.accounts.models import Customer
from apps.api.permissions import actor_of
from apps.api.throttling import UserRateThrottle
from apps.privacy.export import archive_name, do_export_customer


class ExportThrottle(UserRateThrottle):
    """A few exports per customer and hour (SERVICEDESK_THROTTLE_EXPORT): each one reads
    every request and file of theirs."""

    scope = "privacy_export"

    def get_rate(self) -> str:
        return settings.SERVICEDESK_THROTTLE_EXPORT


class MyExport(GenericAPIView):
    # Any signed-in caller; only a customer has data of their own to export (else 403).
    permission_classes = [IsAuthenticated]
    throttle_classes = [ExportThrottle]
    serializer_class = None

    @extend_schema(
        tags=["auth"],
        summary="Download all your personal data (zip: export.json and your files)",
        responses={
            (200, "application/zip"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description=(
                    "export.json (profile, requests with their public messages, files' "
                    "metadata, feedback and history, notifications, preferences, mails) and "
                    "attachments/<id>-<name> for each file; see docs/privacy.md."
                ),
            ),
            403: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="The caller is not a customer.",
                examples=[
                    OpenApiExample(
                        "An agent",
                        value={
                            "error": {
                                "code": "forbidden",
                                "message": "This is for customers: it exports your own data.",
                            }
                        },
                    )
                ],
            ),
        },
    )
    def get(self, request):
        actor = actor_of(request)
        if actor.role != Role.CUSTOMER:
            raise PermissionDenied(_("This is for customers: it exports your own data."))
        customer = Customer.objects.select_related("user").get(pk=actor.customer_id)
        archive = do_export_customer(customer, done_by=request.user, channel="api")
        response = HttpResponse(archive, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{archive_name(customer)}"'
        response["Cache-Control"] = "no-store"
        return response
