"""The handoff admin: scoped lists with the department inbox, the add form (`?request=<pk>`
preselects the request), and accept/decline/complete/cancel buttons calling the services."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.actors import actor_for_user
from apps.accounts.models import Department
from apps.accounts.scope import visible_requests_q
from apps.core.admin import ReadOnlyAdminMixin
from apps.core.errors import ServiceDeskError
from apps.handoffs import services
from apps.handoffs.admin.filters import BoxFilter
from apps.handoffs.models import Handoff, OLAClock
from apps.lifecycle.reference import ReferenceSearchMixin
from apps.lifecycle.states import OWNED
from apps.tickets.models import ServiceRequest

_ACTIONS = {
    "accept": (services.do_accept_handoff, None),
    "decline": (services.do_decline_handoff, "reason"),
    "complete": (services.do_complete_handoff, "result"),
    "cancel": (services.do_cancel_handoff, "reason"),
}
_LABELS = {
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
    "complete": gettext_lazy("Complete with the result"),
    "cancel": gettext_lazy("Cancel handoff"),
}
_RECORD_FIELDS = [
    ("reference", "state", "kind", "bounced"),
    ("request", "from_department", "to_department"),
    "reason",
    ("requested_by", "requested_at", "expires_at"),
    ("accepted_by", "accepted_at"),
    "result",
    ("closed_by", "closed_at", "closing_reason"),
    "version",
]


class OLAClockInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OLAClock
    extra = 0
    can_delete = False
    fields = ["kind", "target_seconds", "started_at", "warn_at", "deadline", "warned_at"]
    fields += ["breached_at", "stopped_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("OLA clocks")


def visible_handoffs_q(user) -> Q:
    """Handoffs of the user's departments (sent, received, or on requests they own now)."""
    if user.is_superuser:
        return Q()
    mine = Department.objects.filter(agents__user=user).values("pk")
    return Q(from_department__in=mine) | Q(to_department__in=mine) | Q(request__department__in=mine)


@admin.register(Handoff)
class HandoffAdmin(ReferenceSearchMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "request",
        "kind",
        "state",
        "from_department",
        "to_department",
        "requested_at",
        "ola",
        "bounced",
    ]
    list_display_links = ["reference"]
    list_select_related = ["request", "from_department", "to_department"]
    list_filter = [BoxFilter, "state", "kind", "bounced", "to_department", "from_department"]
    search_fields = ["reason"]
    search_help_text = gettext_lazy("The reason, or a request reference such as SR-000123.")
    reference_lookup = "request_id"
    ordering = ["-requested_at", "-pk"]
    autocomplete_fields = ["request"]
    inlines = [OLAClockInline]
    change_form_template = "admin/handoffs/handoff/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(visible_handoffs_q(request.user))
            .prefetch_related("ola_clocks")
        )

    @admin.display(description=gettext_lazy("reference"), ordering="pk")
    def reference(self, handoff: Handoff) -> str:
        return handoff.reference

    @admin.display(description=gettext_lazy("OLA"))
    def ola(self, handoff: Handoff) -> str:
        running = [c for c in handoff.ola_clocks.all() if c.stopped_at is None]
        if not running:
            return "-"
        clock = min(running, key=lambda c: c.deadline)
        state = _("overdue") if clock.breached_at else _("due soon") if clock.warned_at else ""
        return f"{clock.get_kind_display()} {clock.deadline:%Y-%m-%d %H:%M} {state}".strip()

    # --- the add form: a new handoff through the service --------------------------------------

    def get_fields(self, request, obj=None):
        return ["request", "kind", "to_department", "reason"] if obj is None else _RECORD_FIELDS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f for row in _RECORD_FIELDS for f in (row if isinstance(row, tuple) else [row])]

    def get_inline_instances(self, request, obj=None):
        return [] if obj is None else super().get_inline_instances(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "request":
            # Requests the user's departments own and work on: the ones they may hand over.
            kwargs["queryset"] = ServiceRequest.objects.filter(
                visible_requests_q(request.user), state__in=OWNED
            ).order_by("-created_at")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_form(self, request, form, change):
        if change:
            raise PermissionDenied
        data = form.cleaned_data
        return services.do_request_handoff(
            data["request"],
            actor=actor_for_user(request.user),
            kind=data["kind"],
            to_department=data["to_department"],
            reason=data["reason"],
        )

    def add_view(self, request, form_url="", extra_context=None):
        # The service refuses what the form cannot know (state, permission, a duplicate).
        try:
            return super().add_view(request, form_url, extra_context)
        except ServiceDeskError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """The service saved the handoff in save_form already."""

    def save_related(self, request, form, formsets, change):
        """A new handoff has no related rows to save from the add page."""

    # --- the record and its buttons -------------------------------------------------------------

    def render_change_form(  # noqa: PLR0917  Django's ModelAdmin signature, overridden
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if obj is not None:
            context["handoff_actions"] = self._actions_for(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _actions_for(self, request, handoff: Handoff) -> list[dict]:
        if not self.has_transition_permission(request):
            return []
        try:
            names = handoff.transitions_for(actor_for_user(request.user))
        except ServiceDeskError:
            return []
        return [
            {
                "name": name,
                "label": _LABELS[name],
                "text": _ACTIONS[name][1],
                "url": reverse(
                    "admin:handoffs_handoff_transition",
                    args=[handoff.pk, name],
                    current_app=self.admin_site.name,
                ),
            }
            for name in names
            if name in _ACTIONS
        ]

    def has_change_permission(self, request, obj=None):
        # Shown read-only: every change is a transition.
        return obj is None and super().has_change_permission(request)

    def has_transition_permission(self, request, obj=None):
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="handoffs_handoff_transition",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id, name):
        """POST only: run the transition with the version and text the page showed."""
        handoff = self.get_object(request, unquote(object_id))
        if handoff is None or name not in _ACTIONS:
            raise Http404
        if not self.has_transition_permission(request, handoff):
            raise PermissionDenied
        change_url = reverse("admin:handoffs_handoff_change", args=[handoff.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        run, text_field = _ACTIONS[name]
        text = {text_field: request.POST.get("text", "")} if text_field else {}
        try:
            version = int(request.POST.get("version", handoff.version))
            done = run(
                handoff, actor=actor_for_user(request.user), expected_version=version, **text
            )
        except ValueError:
            messages.error(request, _("The page was out of date; reload it and try again."))
        except ServiceDeskError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(ref)s: %(action)s done; it is now %(state)s.")
                % {
                    "ref": done.reference,
                    "action": _LABELS[name],
                    "state": done.get_state_display(),
                },
            )
        return HttpResponseRedirect(change_url)
