"""Reads: a request's forecast, the at-risk requests, problem records for a person."""

from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.actors import Actor, Role
from apps.improvement.models import Problem, RequestForecast
from apps.lifecycle.states import OPEN


def forecast_of(request) -> RequestForecast | None:
    """The request's forecast while it is open (joined by `select_related("forecast")`)."""
    if request.state not in OPEN:
        return None
    try:
        return request.forecast
    except ObjectDoesNotExist:
        return None


def expected_by(request) -> datetime | None:
    forecast = forecast_of(request)
    return forecast.expected_at if forecast else None


def filter_at_risk(requests: QuerySet) -> QuerySet:
    """The open requests whose breach risk reached the threshold at the last scoring."""
    flagged = RequestForecast.objects.filter(request=OuterRef("pk"), at_risk=True)
    return requests.filter(Exists(flagged), state__in=OPEN)


def list_problems_for(actor: Actor) -> QuerySet[Problem]:
    """Agents see the problems of their departments, those without one, and their own;
    supervisors all; others none."""
    problems = Problem.objects.select_related("owner", "department", "category", "quality_alert")
    if not isinstance(actor, Actor) or actor.role != Role.AGENT:
        return problems.none()
    if actor.is_supervisor:
        return problems
    return problems.filter(
        Q(department__in=actor.department_ids)
        | Q(department__isnull=True)
        | Q(owner_id=actor.user_id)
    )
