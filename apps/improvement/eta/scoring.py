"""Training the ETA model on the desk's log, and the forecast of every open request: expected
resolution, breach risk, and the early warning when the risk crosses the threshold first."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.actors import SYSTEM
from apps.improvement.eta.boosted import BoostedModel
from apps.improvement.eta.context import attach_load
from apps.improvement.eta.evaluation import evaluate
from apps.improvement.eta.live import attach_live_load, live_clocks, live_rows
from apps.improvement.eta.sources import desk_traces, office_hours
from apps.improvement.eta.traces import samples
from apps.improvement.models import EtaModel, RequestForecast
from apps.lifecycle.states import OPEN
from apps.notifications.services import do_notify, do_publish_event
from apps.sla.models import ClockKind, SLAClock
from apps.tickets import services
from apps.tickets.models import ServiceRequest

logger = logging.getLogger(__name__)

RISK_KIND = "breach_risk"
DEFAULT_THRESHOLD = 0.7
DEFAULT_HISTORY_DAYS = 180
SCORED_FIELDS = [
    "model",
    "computed_at",
    "remaining_seconds",
    "remaining_p90_seconds",
    "next_step",
    "expected_at",
    "deadline",
    "risk",
    "at_risk",
    "explanation",
]


def risk_threshold() -> float:
    return float(getattr(settings, "SERVICEDESK_BREACH_RISK_THRESHOLD", DEFAULT_THRESHOLD))


def do_train_eta_model(
    *, now=None, history_days: int | None = None, evaluate_it: bool = False
) -> EtaModel | None:
    """Fit the boosted model (eta/boosted.py) on the requests submitted in the last
    `history_days` (setting SERVICEDESK_ETA_HISTORY_DAYS, 180); with `evaluate_it`, also test
    it honestly on the same log (chronological split; a second fit).

    Writes: one `EtaModel` row (the pickled model). Returns None (and writes nothing) without
    finished requests."""
    now = now or timezone.now()
    days = history_days or getattr(settings, "SERVICEDESK_ETA_HISTORY_DAYS", DEFAULT_HISTORY_DAYS)
    traces = desk_traces(since=now - timedelta(days=days))
    attach_load(traces)
    finished = [t for t in traces if t.end is not None]
    train = list(samples(finished))
    if not train:
        return None
    hours = office_hours()
    fitted = BoostedModel.fit(train, zone=settings.TIME_ZONE, hours=hours)
    report = {}
    if evaluate_it:
        try:
            report = evaluate(traces, zone=settings.TIME_ZONE, hours=hours)
        except ValueError:
            report = {}
    row = EtaModel.objects.create(
        trained_at=now,
        cases=len(finished),
        samples=len(train),
        params={"kind": "boosted", "features": fitted.encoder.names},
        blob=fitted.dumps(),
        evaluation=summary(report),
    )
    logger.info("ETA model trained on %s cases (%s prefixes)", row.cases, row.samples)
    return row


def summary(report: dict) -> dict:
    """The evaluation's micro-averaged figures (the per-length tables left out of the row)."""
    if not report:
        return {}
    out = {k: report[k] for k in ("cases", "prefixes", "split_at", "target_seconds")}
    out["next_step_accuracy"] = {k: v["accuracy"] for k, v in report["next_step"].items()}
    out["mae_days"] = {k: v["mae_days"] for k, v in report["remaining"].items()}
    out["breach"] = {k: {"brier": v["brier"], "auc": v["auc"]} for k, v in report["breach"].items()}
    return out


def current_model() -> tuple[EtaModel | None, BoostedModel | None]:
    """The latest stored model, or None for it when it was fitted on other columns than the
    encoding has now (an upgrade added features): the next training replaces it."""
    row = EtaModel.objects.exclude(blob=None).order_by("-trained_at", "-pk").first()
    if row is None:
        return None, None
    model = BoostedModel.loads(bytes(row.blob))
    if (row.params or {}).get("features") != model.encoder.names:
        return row, None
    return row, model


def do_score_open_requests(*, now=None) -> dict:
    """Forecast every open request with the latest model: next step, remaining time (P50 and
    P90 from its last event, less the time since), expected resolution, and the risk of
    missing its running resolution deadline, with the features that raise it most.

    Writes: one `RequestForecast` per open request (forecasts of requests no longer open are
    removed). Logs and notifies through `do_warn_breach_risk` each request whose risk reached
    the threshold before its SLA warning fired. Returns counts."""
    now = now or timezone.now()
    row, model = current_model()
    if model is None:
        return {"scored": 0, "warned": 0}
    traces = desk_traces(open_only=True)
    if not traces:
        RequestForecast.objects.all().delete()
        return {"scored": 0, "warned": 0}
    clocks = live_clocks(now)
    attach_live_load(traces)
    x = live_rows(model, traces, clocks, now)
    predicted = model.predict_rows(x)
    threshold = risk_threshold()
    existing = {f.request_id: f for f in RequestForecast.objects.all()}
    fresh, changed = [], []
    for n, trace in enumerate(traces):
        request_id = int(trace.case)
        forecast = existing.pop(request_id, None)
        if forecast is None:
            forecast = RequestForecast(request_id=request_id)
            fresh.append(forecast)
        else:
            changed.append(forecast)
        waited = (now - trace.steps[-1].at).total_seconds()
        deadline = clocks.get(request_id, (None, None))[0]
        risk = predicted.risk[n] if deadline is not None else None
        forecast.model = row
        forecast.computed_at = now
        forecast.remaining_seconds = max(predicted.p50[n] - waited, 0.0)
        forecast.remaining_p90_seconds = max(predicted.p90[n] - waited, 0.0)
        forecast.next_step = predicted.next_activity[n][:40]
        forecast.expected_at = now + timedelta(seconds=forecast.remaining_seconds)
        forecast.deadline = deadline
        forecast.risk = risk
        forecast.at_risk = risk is not None and risk >= threshold
        forecast.explanation = model.explain(x[n]) if forecast.at_risk else []
    # A few statements whatever the number of open requests.
    with transaction.atomic():
        RequestForecast.objects.bulk_create(fresh, batch_size=1000)
        RequestForecast.objects.bulk_update(changed, SCORED_FIELDS, batch_size=1000)
        RequestForecast.objects.filter(pk__in=[f.pk for f in existing.values()]).delete()
    warned_clocks = set(
        SLAClock.objects.filter(
            kind=ClockKind.RESOLUTION, request__state__in=OPEN, warned_at__isnull=False
        ).values_list("request_id", flat=True)
    )
    to_warn = [
        f.pk
        for f in (*fresh, *changed)
        if f.at_risk and f.request_id not in warned_clocks and f.warned_deadline != f.deadline
    ]
    warned = sum(do_warn_breach_risk(pk, threshold=threshold) for pk in to_warn)
    return {"scored": len(fresh) + len(changed), "warned": warned}


def do_warn_breach_risk(forecast_id: int, *, threshold: float) -> bool:
    """Record and announce an early warning for the forecast's request (once per deadline).

    Writes: a `breach_risk` event on the request (through the door: risk, expected_by,
    deadline, threshold) and the forecast's warned_at. Enqueues (after commit): a notification
    to the assignee (or the department's leads) and a `breach_risk` webhook event."""
    with transaction.atomic():
        forecast = (
            RequestForecast.objects.select_for_update(of=("self",))
            .select_related("request__assignee__user", "request__department")
            .get(pk=forecast_id)
        )
        if forecast.warned_deadline == forecast.deadline or not forecast.at_risk:
            return False
        request = forecast.request
        payload = {
            "risk": round(forecast.risk, 3),
            "threshold": threshold,
            "expected_by": _iso(forecast.expected_at),
            "deadline": _iso(forecast.deadline),
            "model": forecast.model_id,
        }
        services.append_event(request, kind=RISK_KIND, actor=SYSTEM, payload=payload)
        forecast.warned_at, forecast.warned_deadline = timezone.now(), forecast.deadline
        forecast.save(update_fields=["warned_at", "warned_deadline"])
        do_notify(
            recipients=_recipients(request),
            kind=RISK_KIND,
            title=lambda: (
                _("%(ref)s will probably miss its deadline (risk %(risk)d%%)")
                % {"ref": request.reference, "risk": round(forecast.risk * 100)}
            ),
            body=lambda: (
                _("Expected by %(expected)s; resolution deadline %(deadline)s.")
                % {"expected": payload["expected_by"], "deadline": payload["deadline"]}
            ),
            request=request,
        )
        do_publish_event(kind=RISK_KIND, payload={"request": request.pk, **payload})
    return True


def _recipients(request: ServiceRequest):
    if request.assignee_id:
        return [request.assignee.user]
    if request.department_id:
        return list(request.department.leads.all())
    return list(get_user_model().objects.filter(is_superuser=True, is_active=True))


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
