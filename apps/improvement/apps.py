"""App config for continuous improvement: early warning, staffing forecast, corrective actions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "apps.improvement"
    label = "improvement"
    verbose_name = _("Continuous improvement")

    def ready(self) -> None:
        from apps.improvement import selectors
        from apps.tickets import extensions

        extensions.provide_expected_by(selectors.expected_by, related="forecast")
        extensions.add_queue(
            extensions.Queue(
                key="at_risk",
                label=_("At risk (early warning)"),
                filter=lambda requests, user: selectors.filter_at_risk(requests),
                after="breached",
            )
        )
