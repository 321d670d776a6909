"""App config for analytics: registers the SQLite percentile aggregate on each connection."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self):
        from apps.analytics.sql import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="analytics_sqlite")
