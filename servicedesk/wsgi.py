"""WSGI entry point for the service desk; each web process builds its FAQ index at start."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings.local")
application = get_wsgi_application()

from servicedesk.warmup import start_warming  # noqa: E402  needs the settings configured above

start_warming()
