"""Process-quality work for the workers: the control-chart alert sweep."""

from apps.quality.alerts import do_raise_quality_alerts


def raise_quality_alerts() -> int:
    """Draw the control charts and record new signals; returns how many alerts were raised."""
    return len(do_raise_quality_alerts())
