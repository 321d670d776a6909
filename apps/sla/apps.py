"""App config for the SLA engine."""

from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "apps.sla"
    label = "sla"
    verbose_name = "SLA"
