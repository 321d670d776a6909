"""Admin of the e-mail intake: mailboxes (superusers; "poll now"), and the inbound mails an
agent's departments received, read-only, the raw mail of those set aside for superusers."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.scope import agent_departments, visible_requests_q
from apps.core.admin import ReadOnlyAdminMixin
from apps.lifecycle.reference import ReferenceSearchMixin
from apps.mail.imap import poll_mailbox
from apps.mail.models import InboundMail, Mailbox


class MailboxForm(forms.ModelForm):
    """The password is written, never shown; left empty it stays as it was."""

    password = forms.CharField(
        label=_("password"), required=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "department",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "active",
        ]

    def clean_password(self) -> str:
        return self.cleaned_data["password"] or (self.instance.password if self.instance else "")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    form = MailboxForm
    list_display = ["name", "address", "department", "host", "active", "last_polled_at"]
    list_filter = ["active", "department"]
    list_select_related = ["department"]
    search_fields = ["name", "address", "host", "username"]
    readonly_fields = ["last_polled_at", "last_error"]
    actions = ["poll_now"]

    @admin.action(description=_("Poll now"))
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        for mailbox in queryset:
            counts = poll_mailbox(mailbox)
            mailbox.refresh_from_db()
            summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or gettext("none")
            if mailbox.last_error:
                self.message_user(
                    request,
                    gettext("%(mailbox)s: %(error)s")
                    % {"mailbox": mailbox, "error": mailbox.last_error},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("%(mailbox)s: new mails %(summary)s")
                    % {"mailbox": mailbox, "summary": summary},
                )


@admin.register(InboundMail)
class InboundMailAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin[InboundMail]):
    list_display = ["received_at", "from_address", "subject", "outcome", "request", "mailbox"]
    list_filter = ["outcome", "mailbox", "source"]
    list_select_related = ["request", "mailbox"]
    search_fields = ["message_id", "from_address", "subject"]
    reference_lookup = "request_id"
    date_hierarchy = "received_at"
    exclude = ["raw"]
    readonly_fields = ["raw_mail"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundMail]:
        """Superusers: every mail. Agents: the mails of requests they may see, and those of
        their departments' mailboxes that made no request."""
        queryset = super().get_queryset(request).defer("raw")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            (Q(request__isnull=False) & visible_requests_q(request.user, prefix="request__"))
            | Q(request__isnull=True, mailbox__department__in=agent_departments(request.user))
        )

    @admin.display(description=_("raw mail"))
    def raw_mail(self, obj: InboundMail) -> str:
        if not obj.pk or not InboundMail.objects.filter(pk=obj.pk, raw__isnull=False).exists():
            return "-"
        url = reverse("admin:mail_inboundmail_raw", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download (.eml)"))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/raw/",
                self.admin_site.admin_view(self.raw_view),
                name="mail_inboundmail_raw",
            ),
            *super().get_urls(),
        ]

    def raw_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The kept mail as an .eml file: superusers only (it may hold anything)."""
        if not request.user.is_superuser:
            raise PermissionDenied
        inbound = InboundMail.objects.filter(pk=unquote(object_id)).first()
        if inbound is None or inbound.raw is None:
            raise Http404
        response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="inbound-{inbound.pk}.eml"'
        return response
