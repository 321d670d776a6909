"""The customer admin's personal-data actions (export, erase with a confirmation page) and the
read-only list of personal-data records."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Customer
from apps.core.errors import ServiceDeskError
from apps.privacy.erasure import check_erasable, do_erase_customer
from apps.privacy.export import archive_name, do_export_customer
from apps.privacy.models import PrivacyRecord

CONFIRM_TEMPLATE = "admin/privacy/erase_confirmation.html"
# One confirmation page lists every customer it erases.
MAX_ERASED = 50


@admin.action(description=gettext_lazy("Export personal data (zip)"), permissions=["view"])
def export_personal_data(model_admin, request, queryset):
    customers = list(queryset.select_related("user")[:2])
    if len(customers) != 1:
        model_admin.message_user(
            request, _("Select exactly one customer to export."), messages.ERROR
        )
        return None
    customer = customers[0]
    archive = do_export_customer(customer, done_by=request.user, channel="admin")
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name(customer)}"'
    return response


@admin.action(description=gettext_lazy("Erase personal data…"), permissions=["delete"])
def erase_personal_data(model_admin, request, queryset):
    """Confirm first (the page lists who will be erased and who cannot be); on confirmation
    erase each customer through `do_erase_customer`."""
    selected = list(queryset.select_related("user").order_by("pk")[: MAX_ERASED + 1])
    if len(selected) > MAX_ERASED:
        model_admin.message_user(
            request,
            _("Select at most %(count)d customers to erase at once.") % {"count": MAX_ERASED},
            messages.ERROR,
        )
        return None
    erasable, refused = _split(selected)
    if "confirm" in request.POST and erasable:
        for customer in erasable:
            do_erase_customer(customer, done_by=request.user, channel="admin")
        model_admin.message_user(
            request,
            _("Customers erased: %(count)d.") % {"count": len(erasable)},
            messages.SUCCESS,
        )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Erase personal data"),
        "opts": model_admin.opts,
        "erasable": erasable,
        "refused": refused,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, CONFIRM_TEMPLATE, context)


def _split(customers: list[Customer]) -> tuple[list[Customer], list[tuple[Customer, str]]]:
    erasable, refused = [], []
    for customer in customers:
        try:
            check_erasable(customer)
        except ServiceDeskError as error:
            refused.append((customer, error.message))
        else:
            erasable.append(customer)
    return erasable, refused


def _extend_customer_admin() -> None:
    """Customers are the accounts app's (a lower layer): their admin gets these actions here."""
    customer_admin = admin.site.get_model_admin(Customer)
    customer_admin.actions = [
        *(customer_admin.actions or []),
        export_personal_data,
        erase_personal_data,
    ]


_extend_customer_admin()


@admin.register(PrivacyRecord)
class PrivacyRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "customer_id", "requests", "channel", "done_by"]
    list_filter = ["action", "channel"]
    list_select_related = ["done_by"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
