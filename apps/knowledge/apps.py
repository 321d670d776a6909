"""App config for knowledge: the door hook for reactions to bot answers, the KB version signals."""

from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "apps.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from apps.knowledge import outcomes  # noqa: F401
        from apps.knowledge.signals import connect_version_signals

        connect_version_signals()
