"""The service request admin: read-only record, transition buttons, submitting on behalf."""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.actors import actor_for_user
from apps.sla import display
from apps.tickets import services
from apps.tickets.admin.forms import SUBMIT_FIELDS
from apps.tickets.admin.inlines import EventInline, MessageInline
from apps.tickets.admin.scope import ReferenceSearchMixin, visible_requests_q
from apps.tickets.admin.transitions import transition_buttons, transition_view
from apps.tickets.models import ServiceRequest

_RECORD_FIELDSETS = [
    (
        None,
        {
            "fields": [
                ("reference", "state"),
                ("priority", "priority_overridden", "escalation_level"),
                ("department", "assignee"),
                ("customer", "channel", "category"),
                "subject",
                "description",
                ("impact", "urgency"),
            ]
        },
    ),
    (
        _("Timeline"),
        {
            "fields": [
                ("created_at", "state_changed_at"),
                ("first_response_at", "resolved_at", "closed_at"),
                ("reopen_count", "approved_at"),
                ("version", "last_event_seq", "last_event_at"),
            ]
        },
    ),
]
_RECORD_FIELDS = flatten_fieldsets(_RECORD_FIELDSETS)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReferenceSearchMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "subject",
        "state",
        "sla",
        "priority",
        "department",
        "assignee",
        "customer",
        "created_at",
    ]
    list_display_links = ["reference", "subject"]
    list_select_related = ["customer__user", "department", "assignee__user"]
    list_filter = ["state", "priority", "department", "channel", "category"]
    search_fields = ["subject", "customer__user__username"]
    search_help_text = _("Subject, customer username, or a reference such as SR-000123.")
    ordering = ["-created_at", "-pk"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["customer", "category"]
    list_per_page = 50
    inlines = [MessageInline, EventInline]

    # --- what an agent sees ----------------------------------------------------------------

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(visible_requests_q(request.user))
            .select_related("customer__user", "department", "assignee__user", "category")
            .prefetch_related(display.clocks_prefetch())
        )

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, service_request: ServiceRequest) -> str:
        return service_request.reference

    @admin.display(description=_("SLA"))
    def sla(self, service_request: ServiceRequest) -> str | None:
        views = display.clock_views(service_request.sla_clocks.all(), timezone.now())
        urgent = display.most_urgent(views)
        return display.badge(*urgent) if urgent else None

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": SUBMIT_FIELDS})] if obj is None else _RECORD_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        # Nothing is edited around the door: every change is a transition.
        return [] if obj is None else _RECORD_FIELDS

    def get_inline_instances(self, request, obj=None):
        return [] if obj is None else super().get_inline_instances(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            buttons = transition_buttons(self, request, obj)
            context["transitions"] = buttons
            context["direct_transitions"] = [b for b in buttons if not b["takes_data"]]
            context["data_transitions"] = [b for b in buttons if b["takes_data"]]
            context["rendered_version"] = obj.version
            context["sla_clocks"] = display.clock_views(obj.sla_clocks.all(), timezone.now())
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- permissions: view, transition and submit; never edit or delete -------------------

    def has_change_permission(self, request, obj=None):
        # With no change permission on an object Django shows it read-only and refuses a
        # POST of the change form; the permission itself gates the transition views.
        return obj is None and super().has_change_permission(request)

    def has_transition_permission(self, request, obj=None):
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    # --- writes, each through the door ------------------------------------------------------

    def save_form(self, request, form, change):
        """Submit the request through the door instead of saving the form's instance."""
        if change:
            raise PermissionDenied
        return services.do_submit_request(actor=actor_for_user(request.user), **form.cleaned_data)

    def save_model(self, request, obj, form, change):
        """The door saved the request in save_form already."""

    def save_related(self, request, form, formsets, change):
        """A submitted request has no related rows to save from the add page."""

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{opts.app_label}_{opts.model_name}_transition",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id, name):
        return transition_view(self, request, unquote(object_id), name)
