"""App config for knowledge: connects the signals that move the knowledge-base version."""

from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "apps.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from apps.knowledge.signals import connect_version_signals

        connect_version_signals()
