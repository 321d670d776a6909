"""Prometheus metrics: HTTP (django-prometheus), Celery task outcomes, queue depth, and the
desk's own counters computed from the database at scrape time (docs/deployment.md "Metrics")."""
