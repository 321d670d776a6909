"""App config for workflows: connects the receivers that turn announcements into tasks."""

from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    label = "workflows"
    verbose_name = "Workflows"

    def ready(self) -> None:
        from workflows import (
            receivers,  # noqa: F401  imported to connect the receivers
            simulation,  # noqa: F401  the scenario task and its receiver
        )
