"""App config for the demo: its organisation, stories and generated history (no models)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "apps.demo"
    label = "demo"
    verbose_name = "Demo"
