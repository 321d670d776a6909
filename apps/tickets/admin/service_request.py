"""The service request admin: queues, the request page, bulk actions, submitting on behalf."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.actors import actor_for_user
from apps.accounts.scope import visible_requests_q
from apps.core.errors import ServiceDeskError
from apps.lifecycle.reference import ReferenceSearchMixin
from apps.sla import display
from apps.tickets import extensions, services
from apps.tickets.admin import (
    language,
    markup,
    next_move,
    queue_live,
    queues,
    relations,
    request_page,
    saved_views,
)
from apps.tickets.admin.actions import ACTIONS
from apps.tickets.admin.forms import SUBMIT_FIELDS
from apps.tickets.admin.freshness import freshness_view, poll_seconds
from apps.tickets.admin.inlines import EventInline
from apps.tickets.admin.reply import reply_view, take_draft
from apps.tickets.admin.transitions import transition_buttons, transition_view
from apps.tickets.models import ServiceRequest
from apps.tickets.queue_models import QUEUE_COLUMNS

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
    list_display = ["reference", *QUEUE_COLUMNS]
    list_display_links = ["reference", "subject"]
    list_select_related = ["customer__user", "department", "assignee__user"]
    list_filter = [
        queues.QueueFilter,
        "state",
        "priority",
        queues.DepartmentFilter,
        "channel",
        "category",
        "created_at",
        saved_views.SavedViewFilter,
    ]
    search_fields = [
        "subject",
        "description",
        "messages__body",
        "customer__user__username",
        "customer__user__first_name",
        "customer__user__last_name",
        "customer__user__email",
        "customer__organisation",
    ]
    search_help_text = _(
        "A reference such as SR-000123, or words from the subject, the text, the messages or "
        "the customer's name, e-mail or organisation."
    )
    autocomplete_fields = ["customer", "category"]
    list_per_page = 50
    # Counting the whole table on every page load is what makes big admin lists slow.
    show_full_result_count = False
    # Facet counts run one count per filter choice over the whole list: too slow at scale.
    show_facets = admin.ShowFacets.NEVER
    actions = ACTIONS
    inlines = [EventInline]

    # --- what an agent sees ----------------------------------------------------------------

    def get_queryset(self, request):
        visible = (
            super()
            .get_queryset(request)
            .filter(visible_requests_q(request.user))
            .select_related("customer__user", "department", "assignee__user", "category")
            .prefetch_related(display.clocks_prefetch())
        )
        visible = next_move.with_last_look(visible, request.user)
        return next_move.with_last_public_author(queues.with_sla_deadline(visible))

    def get_list_display(self, request):
        return saved_views.list_display_for(request, self.list_display)

    def shown_columns(self, request) -> list:
        """The list's columns as its `o` parameter counts them (the tick box first)."""
        columns = list(self.get_list_display(request))
        return ["action_checkbox", *columns] if self.get_actions(request) else columns

    def changelist_view(self, request, extra_context=None):
        # A saved view orders by column names; the list counts positions.
        request.GET = saved_views.with_order_positions(request.GET, self.shown_columns(request))
        extra_context = {
            **(extra_context or {}),
            **saved_views.views_context(self, request),
            "changes_url": self.url_for("queue_changes"),
            "rendered_at": queue_live.render_stamp(),
            "poll_seconds": poll_seconds(),
            "language_url": self.url_for("language"),
            "chosen_language": request.session.get(language.SESSION_KEY, ""),
            # The queues are the navigation here: the list gets the width (1440 px, no scroll).
            "is_nav_sidebar_enabled": False,
            "title": queues.all_queues()[queues.queue_of(request)][0],
        }
        return super().changelist_view(request, extra_context)

    def get_ordering(self, request):
        # Open work by the SLA deadline that runs out first; the closed history newest first.
        if queues.queue_of(request) == queues.EVERYTHING:
            return queues.HISTORY_ORDERING
        return queues.SLA_ORDERING

    @admin.display(description=_("next"))
    def next(self, service_request: ServiceRequest) -> str:
        return next_move.next_move(service_request)

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, service_request: ServiceRequest) -> str:
        return next_move.age(timezone.now() - service_request.created_at)

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, service_request: ServiceRequest) -> str:
        return service_request.reference

    @admin.display(description=_("SLA"), ordering="sla_deadline")
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

    def render_change_form(  # noqa: PLR0917  Django's ModelAdmin signature, overridden
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if obj is not None:
            context.update(self.request_page_context(request, obj))
            next_move.do_remember_look(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def request_page_context(self, request, obj) -> dict:
        try:
            actor = actor_for_user(request.user)
        except ServiceDeskError:
            actor = None
        buttons = transition_buttons(self, request, obj, actor) if actor else []
        names = [b["name"] for b in buttons]
        take = request_page.assign_to_me(obj, actor, names) if actor else None
        return {
            "transitions": buttons,
            "direct_transitions": [b for b in buttons if not b["takes_data"]],
            "data_transitions": [b for b in buttons if b["takes_data"]],
            "rendered_version": obj.version,
            "sla_clocks": display.clock_views(obj.sla_clocks.all(), timezone.now()),
            "assign_to_me_url": self.url_for("transition", obj.pk, take) if take else None,
            "my_agent_id": actor.agent_id if actor else None,
            "handoff_url": request_page.handoff_url(obj),
            "files": (files := request_page.files(obj)),
            "thread": request_page.thread(obj, files),
            "description_html": markup.render(obj.description),
            "other_requests": request_page.other_requests(
                obj, ServiceRequest.objects.filter(visible_requests_q(request.user))
            ),
            "submitted_files": [f for f in files if f.message_id is None],
            "may_download": request.user.has_perm("tickets.view_attachment"),
            "max_files": settings.SERVICEDESK_ATTACHMENT_MAX_COUNT,
            "max_file_size": settings.SERVICEDESK_ATTACHMENT_MAX_BYTES,
            "may_reply": self.has_transition_permission(request, obj) and actor is not None,
            "reply_url": self.url_for("reply", obj.pk),
            "reply_draft": take_draft(request, obj),
            "seen_seq": obj.last_event_seq,
            "freshness_url": self.url_for("freshness", obj.pk),
            "poll_seconds": poll_seconds(),
            "panels": extensions.panels_for(obj),
            "reply_tools": extensions.reply_tools_for(obj, actor) if actor else [],
            **relations.panel_context(self, obj),
        }

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
        views = [
            ("<path:object_id>/transition/<str:name>/", self.transition_view, "transition"),
            ("language/", language.language_view, "language"),
            ("views/save/", self.save_view, "save_view"),
            ("queue/counts/", self.queue_counts_view, "queue_counts"),
            ("queue/changes/", self.queue_changes_view, "queue_changes"),
            ("<path:object_id>/freshness/", self.freshness_view, "freshness"),
            ("<path:object_id>/reply/", self.reply_view, "reply"),
        ]
        return [
            *(
                path(
                    route,
                    self.admin_site.admin_view(view),
                    name=f"{opts.app_label}_{opts.model_name}_{name}",
                )
                for route, view, name in views
            ),
            *relations.relation_urls(self),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id, name):
        return transition_view(self, request, unquote(object_id), name)

    def freshness_view(self, request, object_id):
        return freshness_view(self, request, unquote(object_id))

    def reply_view(self, request, object_id):
        return reply_view(self, request, unquote(object_id))

    def save_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return saved_views.save_view(self, request)

    def queue_counts_view(self, request):
        return queue_live.counts_view(self, request)

    def queue_changes_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return queue_live.changes_view(self, request)

    def home_panel(self, request) -> dict | None:
        panel = queues.home_queues(self, request)
        if panel is not None:
            url = self.url_for("changelist")
            panel["views"] = [
                {"view": v, "url": saved_views.view_url(url, v)}
                for v in saved_views.views_for(request.user)
            ]
            panel["counts_url"] = self.url_for("queue_counts")
            panel["poll_seconds"] = poll_seconds()
        return panel

    def url_for(self, view: str, *args) -> str:
        opts = self.opts
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{view}",
            args=args,
            current_app=self.admin_site.name,
        )


if hasattr(admin.site, "add_home_panel"):
    admin.site.add_home_panel(
        "admin/tickets/home_queues.html", admin.site._registry[ServiceRequest].home_panel
    )
