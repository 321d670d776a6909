"""Process-quality work for the workers: the control-chart alert sweep and survey invitations."""

from apps.quality.alerts import do_raise_quality_alerts
from apps.quality.survey import do_invite_feedback


def raise_quality_alerts() -> int:
    """Draw the control charts and record new signals; returns how many alerts were raised."""
    return len(do_raise_quality_alerts())


def invite_feedback(request_id: int) -> bool:
    return do_invite_feedback(request_id)
