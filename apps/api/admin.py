"""The API's tokens stay out of the admin: django-rest-knox's own token screen shows digests
under untranslated names and adds nothing a person needs (revoke with sign-out, sign-out
everywhere, or by deactivating the user: docs/api.md "Tokens")."""

from django.contrib import admin
from knox import admin as knox_admin  # noqa: F401  registers knox's screen first, to remove it
from knox.models import AuthToken

admin.site.unregister(AuthToken)
