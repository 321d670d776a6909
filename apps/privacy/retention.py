"""Retention: closed and cancelled requests anonymised once they are old enough.

Anonymised, not deleted: the event log, times, departments, priorities and ratings stay, so
the metrics, the process map and the replay check read the same as before."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.lifecycle.states import TERMINAL
from apps.privacy.anonymising import anonymise_requests
from apps.privacy.models import Action, AnonymisedRequest, PrivacyRecord
from apps.tickets.models import ServiceRequest

BATCH = 200


def retention_days() -> int | None:
    """SERVICEDESK_RETENTION_DAYS_CLOSED, read at call time; None (or 0) keeps everything."""
    days = getattr(settings, "SERVICEDESK_RETENTION_DAYS_CLOSED", None)
    return int(days) if days else None


def list_requests_past_retention(*, days: int, now: datetime, limit: int = BATCH) -> list[int]:
    """Ids of terminal requests closed more than `days` ago and not anonymised yet, oldest
    first; the requests are locked (skip_locked: sweeps on several workers share the work)."""
    anonymised = AnonymisedRequest.objects.values("request_id")
    return list(
        ServiceRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(state__in=TERMINAL, closed_at__lt=now - timedelta(days=days))
        .exclude(pk__in=anonymised)
        .order_by("closed_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def sweep_retention(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Anonymise one batch of requests past retention, in one transaction with one
    `PrivacyRecord` (action retention, counts); how many. Does nothing while retention is
    off. Idempotent: an anonymised request is never picked again."""
    days = retention_days()
    if days is None:
        return 0
    with transaction.atomic():
        ids = list_requests_past_retention(days=days, now=now or timezone.now(), limit=limit)
        if not ids:
            return 0
        record = PrivacyRecord.objects.create(
            action=Action.RETENTION, requests=len(ids), channel="retention"
        )
        counts = anonymise_requests(ids, record=record)
        record.counts = {kind: n for kind, n in sorted(counts.items()) if n}
        record.save(update_fields=["counts"])
    return len(ids)
