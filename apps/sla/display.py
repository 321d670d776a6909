"""How an SLA clock reads to people: a badge colour and the business time left or overdue."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.translation import gettext as _

from apps.sla.models import ClockKind, ClockState, SLAClock
from apps.sla.timers import schedule_of

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
_HEX = {GREEN: "#2e7d32", AMBER: "#b26a00", RED: "#c62828", GREY: "#6c757d"}
_KIND_ORDER = [ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE, ClockKind.RESOLUTION]


def clocks_prefetch() -> Prefetch:
    """A request's clocks with what their summaries need: a fixed number of queries per page."""
    return Prefetch(
        "sla_clocks",
        queryset=SLAClock.objects.select_related("policy__calendar").prefetch_related(
            "policy__calendar__hours", "policy__calendar__holidays"
        ),
    )


@dataclass(frozen=True)
class ClockView:
    """One clock as a row of the request page: the model's summary plus colour and words."""

    clock: SLAClock
    summary: dict
    colour: str
    remaining: str

    def badge(self) -> str:
        return badge(self.colour, self.remaining)


def clock_view(clock: SLAClock, now: datetime) -> ClockView:
    summary = clock.summary(schedule_of(clock.policy), now)
    return ClockView(clock, summary, colour_of(clock, summary), remaining_text(summary))


def clock_views(clocks, now: datetime) -> list[ClockView]:
    """The request's clocks (prefetched) in the order they usually run out."""
    ordered = sorted(clocks, key=lambda clock: _KIND_ORDER.index(clock.kind))
    return [clock_view(clock, now) for clock in ordered]


def colour_of(clock: SLAClock, summary: dict) -> str:
    """Grey unless running; then red once breached, amber from the warning share, else green."""
    if summary["state"] != ClockState.RUNNING:
        return GREY
    if summary["breached"] or summary["remaining_business_seconds"] <= 0:
        return RED
    # The sweep sets the warning flag a little late; the share shows it on time.
    warning_at = clock.target_seconds * clock.policy.warning_percent / 100
    if summary["warning"] or summary["elapsed_business_seconds"] >= warning_at:
        return AMBER
    return GREEN


def remaining_text(summary: dict) -> str:
    """'1h 20m left', '35m overdue'; a paused clock says so, a stopped one met or missed."""
    seconds = summary["remaining_business_seconds"]
    time = duration(seconds)
    if summary["state"] == ClockState.STOPPED:
        if seconds >= 0:
            return _("met, %(time)s to spare") % {"time": time}
        return _("missed by %(time)s") % {"time": time}
    left = _("%(time)s left") if seconds > 0 else _("%(time)s overdue")
    if summary["state"] == ClockState.PAUSED:
        return _("paused, %(left)s") % {"left": left % {"time": time}}
    return left % {"time": time}


def most_urgent(views: list[ClockView]) -> tuple[str, str] | None:
    """(colour, words) for a list column: the running clock with the least time left."""
    running = [v for v in views if v.summary["state"] == ClockState.RUNNING]
    if running:
        view = min(running, key=lambda v: v.summary["remaining_business_seconds"])
        return view.colour, view.remaining
    if any(v.summary["state"] == ClockState.PAUSED for v in views):
        return GREY, _("paused")
    return (GREY, _("stopped")) if views else None


def duration(seconds: float) -> str:
    """Business time in hours and minutes: '1h 20m', '2h', '35m', '<1m'."""
    minutes = int(abs(seconds) // 60)
    if minutes == 0:
        return _("<1m")
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(m)sm") % {"m": minutes}
    if not minutes:
        return _("%(h)sh") % {"h": hours}
    return _("%(h)sh %(m)sm") % {"h": hours, "m": minutes}


def badge(colour: str, text: str) -> str:
    return format_html(
        '<span class="sla-badge" data-sla="{}" style="background:{};color:#fff;'
        'padding:1px 7px;border-radius:9px;white-space:nowrap">{}</span>',
        colour,
        _HEX[colour],
        text,
    )
