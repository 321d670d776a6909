"""App config for the lifecycle vocabulary (no models: states and priority as choices)."""

from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "apps.lifecycle"
    label = "lifecycle"
    verbose_name = "Lifecycle"
