"""App config for handoffs: registers its guard and hook with the request's door."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoffsConfig(AppConfig):
    name = "apps.handoffs"
    label = "handoffs"
    verbose_name = _("Handoffs")

    def ready(self) -> None:
        from apps.handoffs import hooks
        from apps.tickets.hooks import guard_transition, on_transition

        guard_transition(hooks.refuse_resolve_with_open_consult)
        on_transition(hooks.close_pointless_handoffs)
