"""Continuous improvement work for the workers: retrain the ETA model, score the open requests
(early warnings), and recompute the staffing forecast."""

from apps.improvement.eta.scoring import do_score_open_requests, do_train_eta_model
from apps.improvement.staffing.plan import do_forecast_staffing


def train_eta_model() -> int:
    """Retrain on the desk's log, then score the open requests with the new model."""
    row = do_train_eta_model()
    if row is None:
        return 0
    do_score_open_requests()
    return row.cases


def sweep_breach_risk() -> int:
    return do_score_open_requests()["warned"]


def forecast_staffing() -> int:
    return do_forecast_staffing().pk
