"""The customer's own export: `GET /api/v1/me/export/`, a zip of their personal data."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission

from apps.accounts.actors import Role
from apps.accounts.models import Customer
from apps.api.permissions import actor_of
from apps.api.throttling import UserRateThrottle
from apps.privacy.export import archive_name, do_export_customer


class IsCustomer(BasePermission):
    message = _("This is for customers: it exports your own data.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 to a caller without credentials
        return actor_of(request).role == Role.CUSTOMER


class ExportThrottle(UserRateThrottle):
    """A few exports per customer and hour (SERVICEDESK_THROTTLE_EXPORT): each one reads
    every request and file of theirs."""

    scope = "privacy_export"

    def get_rate(self) -> str:
        return settings.SERVICEDESK_THROTTLE_EXPORT


class MyExport(GenericAPIView):
    permission_classes = [IsCustomer]
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
            )
        },
    )
    def get(self, request):
        customer = Customer.objects.select_related("user").get(pk=actor_of(request).customer_id)
        archive = do_export_customer(customer, done_by=request.user, channel="api")
        response = HttpResponse(archive, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{archive_name(customer)}"'
        response["Cache-Control"] = "no-store"
        return response
