"""How the scenario pages name and write a KPI: its label (never its key), the order of the
rows, and its figures (shares as percent, other figures to three significant digits, an
interval within what the KPI can take), the same in the tables and the charts."""

from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Department
from apps.simulation.side_steps import kpi_label

KPI_LABELS = {
    "arrivals": _("requests arrived"),
    "ttr_median_h": _("time to resolve, median (h)"),
    "ttr_business_median_h": _("time to resolve in business hours, median (h)"),
    "ttr_p90_h": _("time to resolve, P90 (h)"),
    "ttr_mean_h": _("time to resolve, mean (h)"),
    "wait_mean_h": _("wait for an agent, mean (h)"),
    "sla_resolution_share": _("resolution SLA met (share)"),
    "sla_first_response_share": _("first-response SLA met (share)"),
    "sla_next_response_share": _("next-response SLA met (share)"),
    "backlog_mean": _("open requests, mean"),
    "backlog_end": _("open requests at the end"),
}

# The KPIs that are shares (0 to 1), shown as percent: the SLA shares, a handoff pair's OLA and
# declined shares, utilisation per department.
SLA = "sla_resolution_share"
SHARES = (SLA, "sla_first_response_share", "sla_next_response_share")
SHARE_PREFIXES = ("ola_acceptance|", "ola_completion|", "refused|", "utilisation|")
# After the KPIs of KPI_LABELS (in its order), utilisation per department, then each side
# step's KPIs together (passes, OLA shares, declined share).
PART_ORDER = ("utilisation|", "passes|", "ola_acceptance|", "ola_completion|", "refused|")


def is_share(name: str) -> bool:
    return name in SHARES or name.startswith(SHARE_PREFIXES)


def order(name: str) -> tuple:
    """Where a KPI's row goes: the desk-wide ones first, as KPI_LABELS lists them."""
    if name in KPI_LABELS:
        return (0, list(KPI_LABELS).index(name), "", 0)
    kpi, bar, key = name.partition("|")
    prefix = kpi + bar
    if prefix == "utilisation|":
        return (1, 0, key, 0)
    if prefix in PART_ORDER:
        return (2, 0, key, PART_ORDER.index(prefix))
    return (3, 0, name, 0)


def label(name: str) -> str:
    """What the reader sees for the KPI `name` (the key itself only for a KPI nobody named)."""
    if name.startswith("utilisation|"):
        department = name.split("|", 1)[1]
        return _("utilisation, %(department)s") % {"department": department_name(department)}
    return kpi_label(name, department_name) or str(KPI_LABELS.get(name, name))


def department_name(pk: str) -> str:
    found = Department.objects.filter(pk=pk).values_list("name", flat=True).first()
    return found or pk


def formatter(name: str):
    """How a KPI's figures are written, in the tables and in the chart alike: a share as
    percent with one decimal, any other figure to three significant digits (`figure`)."""
    return percent if is_share(name) else figure


def percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def bounded(name: str, estimate: dict | None) -> dict | None:
    """The interval within what the KPI can take: no KPI below 0, no share above 1 (the
    Student-t interval of a few replications near either end reaches past it); the mean as
    it is."""
    if not estimate:
        return estimate
    low, high = in_range(name, (estimate["low"], estimate["high"]))
    return {**estimate, "low": low, "high": high}


def in_range(name: str, interval) -> tuple[float, float]:
    """An interval cut to what the KPI can take (the log's normal interval of a share near 1
    reaches past it too)."""
    low, high = interval
    return max(low, 0.0), (min(high, 1.0) if is_share(name) else high)


def estimate_text(estimate, name: str = "") -> str:
    """A stored estimate as 'mean [low, high]', written as the KPI `name`'s figures are."""
    if not estimate:
        return "-"
    fmt, within = formatter(name), bounded(name, estimate) or estimate
    return f"{fmt(within['mean'])} [{fmt(within['low'])}, {fmt(within['high'])}]"


def figure(value: float) -> str:
    """Three significant digits, whole numbers from 100 on (1500, not 1.5e+03)."""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
