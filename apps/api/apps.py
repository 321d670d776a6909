"""App config for the API infrastructure."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "apps.api"
    label = "api"
    verbose_name = _("API")


class TokensConfig(AppConfig):
    """django-rest-knox (the API's hashed tokens), named for the admin in the agent's language."""

    name = "knox"
    label = "knox"
    verbose_name = _("API tokens")
