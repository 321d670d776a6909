"""ASGI entry point for the service desk."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings.local")
application = get_asgi_application()
