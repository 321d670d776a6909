"""App config for the event log."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventLogConfig(AppConfig):
    name = "apps.eventlog"
    label = "eventlog"
    verbose_name = _("Event log")
