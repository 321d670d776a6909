"""App config for tickets."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "apps.tickets"
    label = "tickets"
    verbose_name = _("Service requests")

    def ready(self) -> None:
        from apps.tickets import approvals, extensions

        # The approval box comes first on the page's side panel: it is the work waiting.
        extensions.add_panel(
            extensions.Panel(
                key="approval",
                template="admin/tickets/servicerequest/approval_panel.html",
                data=approvals.approval_panel,
            )
        )
