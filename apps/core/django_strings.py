"""Strings of Django's admin that its own zh-hans catalogue lacks (Django 5.2), marked here so
`makemessages` keeps them in ours, which LOCALE_PATHS puts ahead of Django's."""

from django.utils.translation import gettext_noop

# The visually hidden column heads of the admin index's app list (read by screen readers).
ADMIN_INDEX_HEADS = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
]
