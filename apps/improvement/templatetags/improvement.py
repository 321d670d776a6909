"""Template tags: the early-warning block on the agent's request page."""

from django import template

from apps.improvement.eta.scoring import risk_threshold
from apps.improvement.selectors import forecast_of

register = template.Library()


@register.inclusion_tag("admin/improvement/request_forecast.html")
def request_forecast(service_request):
    forecast = forecast_of(service_request) if service_request is not None else None
    return {
        "forecast": forecast,
        "risk_percent": round(forecast.risk * 100)
        if forecast and forecast.risk is not None
        else None,
        "threshold_percent": round(risk_threshold() * 100),
    }
