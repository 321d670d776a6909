"""Whether the log's own value of a targeted KPI is known well enough to validate against, and
the sentence saying it is not. Apart from validation.py so that the admin, imported at start-up,
can say it without loading the analysis libraries (numpy, scipy) validation brings."""

from django.utils.translation import gettext as _


def too_wide(observed, interval, tolerance, relative: bool) -> bool:
    """Whether the log's own 95 % interval of a targeted KPI is wider than its tolerance."""
    if tolerance is None or interval is None or observed is None:
        return False
    low, high = interval
    allowed = tolerance * abs(observed) if relative else tolerance
    return (high - low) / 2 > allowed


def thin_reason(kpi: str, observed: float, interval) -> str:
    """The sentence saying so, `kpi` named as the reader should see it (the admin gives its
    label, the command its key)."""
    low, high = interval
    return _(
        "The test period is too thin to validate %(kpi)s: the log's own value is %(value).3g, "
        "known only within [%(low).3g, %(high).3g] (95 %%), wider than the tolerance."
    ) % {"kpi": kpi, "value": observed, "low": low, "high": high}
