"""The channels a request arrives by."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    API = "api", _("API")
    WEB = "web", _("Web")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
