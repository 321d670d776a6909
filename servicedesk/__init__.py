"""The service-desk Django project: settings, URLs and the Celery app."""

from servicedesk.celery import app as celery_app

__all__ = ["celery_app"]
