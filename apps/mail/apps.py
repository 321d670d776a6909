"""App config for mail: connects the receiver of inbound provider webhooks (django-anymail)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "apps.mail"
    label = "mail"
    verbose_name = _("E-mail intake")

    def ready(self) -> None:
        from apps.mail import webhooks  # noqa: F401  imported to connect its signal receiver
