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
from apps.improvement.eta.evaluation import evaluate
from apps.improvement.eta.model import EmpiricalModel
from apps.improvement.eta.sources import desk_traces
from apps.improvement.eta.traces import Features, samples
from apps.improvement.models import EtaModel, RequestForecast
from apps.lifecycle.states import OPEN
from apps.notifications.services import do_notify, do_publish_event
from apps.sla.models import ClockKind, ClockState, SLAClock
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
    "expected_at",
    "deadline",
    "risk",
    "at_risk",
]


def risk_threshold() -> float:
    return float(getattr(settings, "SERVICEDESK_BREACH_RISK_THRESHOLD", DEFAULT_THRESHOLD))


def do_train_eta_model(*, now=None, history_days: int | None = None) -> EtaModel | None:
    """Fit the model on the requests submitted in the last `history_days` (setting
    SERVICEDESK_ETA_HISTORY_DAYS, 180) and evaluate it on the same log (chronological split).

    Writes: one `EtaModel` row. Returns None (and writes nothing) without finished requests."""
    now = now or timezone.now()
    days = history_days or getattr(settings, "SERVICEDESK_ETA_HISTORY_DAYS", DEFAULT_HISTORY_DAYS)
    traces = desk_traces(since=now - timedelta(days=days))
    finished = [t for t in traces if t.end is not None]
    if not finished:
        return None
    fitted = EmpiricalModel.fit(samples(finished))
    try:
        report = evaluate(finished)
    except ValueError:
        report = {}
    row = EtaModel.objects.create(
        trained_at=now,
        cases=len(finished),
        samples=fitted.params["samples"],
        params=fitted.params,
        evaluation=_summary(report),
    )
    logger.info("ETA model trained on %s cases", row.cases)
    return row


def _summary(report: dict) -> dict:
    """The evaluation without its per-length tables (kept small in the row)."""
    if not report:
        return {}
    out = {k: v for k, v in report.items() if k not in ("model", "baseline")}
    for name in ("model", "baseline"):
        out[name] = {k: v for k, v in report[name].items() if k != "mae_by_length"}
    return out


def current_model() -> tuple[EtaModel | None, EmpiricalModel | None]:
    row = EtaModel.objects.order_by("-trained_at", "-pk").first()
    return (row, EmpiricalModel(row.params)) if row else (None, None)


def features_of(request: ServiceRequest, now) -> Features:
    return Features(
        state=request.state,
        department=request.department_id,
        priority=request.priority,
        category=request.category_id,
        elapsed_seconds=(now - request.created_at).total_seconds(),
    )


def do_score_open_requests(*, now=None) -> dict:
    """Forecast every open request with the latest model: remaining time, expected resolution
    and the risk of missing its running resolution deadline.

    Writes: one `RequestForecast` per open request (forecasts of requests no longer open are
    removed). Logs and notifies through `do_warn_breach_risk` each request whose risk reached
    the threshold before its SLA warning fired. Returns counts."""
    now = now or timezone.now()
    row, model = current_model()
    if model is None:
        return {"scored": 0, "warned": 0}
    deadlines = dict(
        SLAClock.objects.filter(
            kind=ClockKind.RESOLUTION, state=ClockState.RUNNING, request__state__in=OPEN
        ).values_list("request_id", "deadline")
    )
    warned_clocks = set(
        SLAClock.objects.filter(
            kind=ClockKind.RESOLUTION, request__state__in=OPEN, warned_at__isnull=False
        ).values_list("request_id", flat=True)
    )
    existing = {f.request_id: f for f in RequestForecast.objects.all()}
    threshold, fresh, changed = risk_threshold(), [], []
    requests = ServiceRequest.objects.filter(state__in=OPEN).only(
        "pk", "state", "department_id", "priority", "category_id", "created_at"
    )
    for request in requests.iterator(chunk_size=2000):
        features = features_of(request, now)
        remaining = model.remaining_seconds(features)
        deadline = deadlines.get(request.pk)
        risk = model.breach_risk(features, (deadline - now).total_seconds()) if deadline else None
        forecast = existing.pop(request.pk, None)
        if forecast is None:
            forecast = RequestForecast(request_id=request.pk)
            fresh.append(forecast)
        else:
            changed.append(forecast)
        forecast.model = row
        forecast.computed_at = now
        forecast.remaining_seconds = remaining
        forecast.expected_at = now + timedelta(seconds=remaining) if remaining is not None else None
        forecast.deadline = deadline
        forecast.risk = risk
        forecast.at_risk = risk is not None and risk >= threshold
    # A few statements whatever the number of open requests.
    with transaction.atomic():
        RequestForecast.objects.bulk_create(fresh, batch_size=1000)
        RequestForecast.objects.bulk_update(changed, SCORED_FIELDS, batch_size=1000)
        RequestForecast.objects.filter(pk__in=[f.pk for f in existing.values()]).delete()
    to_warn = [
        f.pk
        for f in (*fresh, *changed)
        if f.at_risk and f.request_id not in warned_clocks and f.warned_deadline != f.deadline
    ]
    warned = sum(do_warn_breach_risk(pk, threshold=threshold) for pk in to_warn)
    scored = len(fresh) + len(changed)
    return {"scored": scored, "warned": warned}


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
