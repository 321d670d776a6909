"""One line on what an SLA, escalation, bot or handoff event of the timeline means."""

from django.utils.translation import gettext_lazy as _

from apps.accounts.selectors import department_name
from apps.lifecycle.reference import format_reference
from apps.sla.models import ClockKind

_CLOCK_ACTIONS = {
    "start": _("%(clock)s clock started"),
    "pause": _("%(clock)s clock paused"),
    "resume": _("%(clock)s clock resumed"),
    "stop": _("%(clock)s clock stopped"),
    "rematch": _("%(clock)s clock moved to another policy"),
}


def _clock(payload: dict) -> str:
    kind = payload.get("clock")
    return str(ClockKind(kind).label) if kind in ClockKind.values else str(kind or "")


def _sla_clock(payload: dict) -> str:
    text = _CLOCK_ACTIONS.get(payload.get("action"), _("%(clock)s clock changed"))
    return _("%(what)s (policy %(policy)s)") % {
        "what": text % {"clock": _clock(payload)},
        "policy": payload.get("policy", "-"),
    }


def _sla_warning(payload: dict) -> str:
    return _("%(clock)s: warning, %(percent)s%% of the target used (policy %(policy)s)") % {
        "clock": _clock(payload),
        "percent": payload.get("percent", "?"),
        "policy": payload.get("policy", "-"),
    }


def _sla_breach(payload: dict) -> str:
    return _("%(clock)s: target breached (policy %(policy)s)") % {
        "clock": _clock(payload),
        "policy": payload.get("policy", "-"),
    }


def _escalation(payload: dict) -> str:
    actions = payload.get("actions") if isinstance(payload.get("actions"), dict) else {}
    done = ", ".join(f"{name}: {result}" for name, result in actions.items()) or "-"
    return _("escalation policy %(policy)s: %(done)s") % {
        "policy": payload.get("policy", "-"),
        "done": done,
    }


def _bot(payload: dict) -> str:
    if payload.get("answered"):
        return _("answered with article %(article)s") % {"article": payload.get("article", "?")}
    suggestions = [s for s in payload.get("suggestions") or [] if isinstance(s, dict)]
    if not suggestions:
        return _("no FAQ article matched")
    articles = ", ".join(f"{s.get('article')} ({s.get('score')})" for s in suggestions)
    return _("suggested to the agent: %(articles)s") % {"articles": articles}


_HANDOFF_STEPS = {
    "requested": _("requested"),
    "accepted": _("accepted"),
    "declined": _("declined"),
    "completed": _("completed"),
    "expired": _("expired"),
    "cancelled": _("cancelled"),
    "ola_warning": _("OLA warning"),
    "ola_breach": _("OLA breached"),
    "bounced": _("bounced: the request came back or moved too often"),
}


def _department_name(pk) -> str:
    # Names come from a per-process cache, not a query per event.
    name = department_name(pk) if isinstance(pk, int) else None
    return name or str(pk or "-")


def _handoff(payload: dict) -> str:
    """The handoffs app's payload: handoff, handoff_kind, step, from/to department, reason."""
    text = _("handoff H-%(handoff)s (%(kind)s) %(step)s: %(source)s → %(target)s") % {
        "handoff": payload.get("handoff", "?"),
        "kind": payload.get("handoff_kind", "-"),
        "step": _HANDOFF_STEPS.get(payload.get("step"), payload.get("step", "-")),
        "source": _department_name(payload.get("from_department")),
        "target": _department_name(payload.get("to_department")),
    }
    reason = payload.get("reason")
    return f"{text}; {reason}" if reason else str(text)


def _merge(payload: dict) -> str:
    """On the request kept: what came over from the duplicate merged into it."""
    return _("%(reference)s merged in: %(messages)s message(s), %(files)s file(s)") % {
        "reference": payload.get("reference", "?"),
        "messages": len(payload.get("messages") or []) + bool(payload.get("opening_message")),
        "files": len(payload.get("attachments") or []),
    }


def _link(payload: dict) -> str:
    linked = payload.get("action") == "linked"
    text = _("linked to %(reference)s") if linked else _("unlinked from %(reference)s")
    return text % {"reference": payload.get("reference", "?")}


def _merged_into(payload: dict) -> str:
    into = (payload.get("merged_into") or {}).get("to")
    if not isinstance(into, int):
        return ""
    return _("merged into %(reference)s as a duplicate") % {"reference": format_reference(into)}


_SUMMARIES = {
    "transition": _merged_into,
    "merge": _merge,
    "link": _link,
    "sla_clock": _sla_clock,
    "sla_warning": _sla_warning,
    "sla_breach": _sla_breach,
    "escalation": _escalation,
    "bot": _bot,
}


def event_summary(kind: str, payload: dict) -> str:
    """Plain text for the timeline's 'why' column, read from the event's kind and payload."""
    if kind.startswith("handoff"):
        return _handoff(payload)
    summary = _SUMMARIES.get(kind)
    return str(summary(payload)) if summary else ""
