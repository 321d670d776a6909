"""App config for accounts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # The admin sign-in throttle counts failures from Django's auth signals.
        from apps.accounts import login_throttle  # noqa: F401  registers its receivers
