"""Admin for notifications (read-only), webhook subscriptions, and the webhook delivery log."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin import ReadOnlyAdminMixin
from apps.notifications.models import (
    Notification,
    NotificationPreference,
    WebhookDelivery,
    WebhookFeed,
    WebhookSubscription,
)
from apps.notifications.services import do_redeliver_webhooks


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("yes", _("Read")), ("no", _("Unread"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "request", "read_at", "emailed_at"]
    list_filter = ["kind", ReadFilter]
    list_select_related = ["recipient", "request"]
    search_fields = ["title", "recipient__username", "recipient__email"]
    ordering = ["-created_at", "-pk"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # Notifications name requests of any department: each agent reads only their own.
        notifications = super().get_queryset(request)
        if request.user.is_superuser:
            return notifications
        return notifications.filter(recipient=request.user)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email"]
    list_filter = ["kind", "email"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        # A person's choices are theirs: an agent sees and edits only their own.
        preferences = super().get_queryset(request)
        if request.user.is_superuser:
            return preferences
        return preferences.filter(user=request.user)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "kinds", "internal", "active", "created_at"]
    list_filter = ["active", "internal"]
    search_fields = ["name", "url"]
    fields = ["name", "url", "event_kinds", "internal", "active", "signing_secret", "created_at"]
    readonly_fields = ["signing_secret", "created_at"]
    # A URL typed without a scheme becomes https:// (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("event kinds"))
    def kinds(self, subscription: WebhookSubscription) -> str:
        return ", ".join(subscription.event_kinds) or _("all")

    @admin.display(description=_("signing secret"))
    def signing_secret(self, subscription: WebhookSubscription) -> str:
        # The add form would show a value that is not the one saved (a new instance is made on
        # POST), so the secret appears only once the subscription exists.
        if not subscription.pk:
            return _("Generated when the subscription is saved; copy it to the receiver then.")
        return subscription.secret


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "subscription",
        "event_kind",
        "status",
        "attempts",
        "last_status_code",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_kind", "subscription"]
    list_select_related = ["subscription"]
    search_fields = ["event_kind", "subscription__name", "last_error"]
    raw_id_fields = ["event"]
    ordering = ["-created_at", "-pk"]
    date_hierarchy = "created_at"
    actions = ["redeliver"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields]

    def has_view_permission(self, request, obj=None):
        # Payloads describe requests of every department: for the desk's administrators only.
        return request.user.is_superuser

    def has_redeliver_permission(self, request) -> bool:
        # Whoever may manage subscriptions may send their deliveries again.
        return request.user.has_perm("notifications.change_webhooksubscription")

    @admin.action(description=_("Deliver again"), permissions=["redeliver"])
    def redeliver(self, request, queryset):
        count = do_redeliver_webhooks(deliveries=queryset)
        self.message_user(
            request,
            ngettext("%d delivery queued again.", "%d deliveries queued again.", count) % count,
            messages.SUCCESS,
        )


@admin.register(WebhookFeed)
class WebhookFeedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """How far lifecycle webhooks have read the event log (workflows/webhook_feed.py)."""

    list_display = ["name", "last_event_id", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields]
