"""App config for knowledge: the door hook for reactions to bot answers, the KB version signals,
the FAQ suggestions on a request's admin page."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "apps.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from apps.knowledge import (
            outcomes,  # noqa: F401  imported to connect its signal receivers
            request_panel,
        )
        from apps.knowledge.signals import connect_version_signals
        from apps.tickets import extensions

        connect_version_signals()
        extensions.add_panel(
            extensions.Panel(
                key="faq_suggestions",
                template=request_panel.TEMPLATE,
                data=request_panel.suggestions,
            )
        )
