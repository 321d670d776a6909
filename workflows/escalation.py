"""Escalation steps: notify, raise priority or level, move to another department; each logged."""

from django.utils.translation import gettext as _

from apps.accounts.actors import SYSTEM
from apps.core.errors import ServiceDeskError
from apps.eventlog.models import EventKind
from apps.lifecycle.priority import raised
from apps.lifecycle.states import OPEN, OWNED
from apps.notifications.services import do_notify
from apps.sla.models import EscalationStep
from apps.tickets import services
from apps.tickets.transition_data import ReprioritizeData, TransferData


def steps_at(policy, *, percent: int | None, clock_kind: str = "") -> list[EscalationStep]:
    """The policy's steps for a share of the target, or (percent None) for manual escalation."""
    if policy is None or policy.escalation_policy_id is None:
        return []
    steps = policy.escalation_policy.steps.all()
    if percent is None:
        return [s for s in steps if s.on_manual]
    return [
        s
        for s in steps
        if s.at_percent == percent and (not s.clock_kind or s.clock_kind == clock_kind)
    ]


def run_steps(request, steps: list[EscalationStep], *, trigger: dict, reason: str):
    """Run each step through the door and log an `escalation` event saying what was done and
    why; an action the request's state no longer allows is logged as skipped. Returns the
    request as it is afterwards."""
    for step in steps:
        done: dict[str, str] = {}
        for action, run in _ACTIONS:
            if action in step.actions():
                request, done[action] = _attempt(run, request, step, reason)
        services.append_event(
            request,
            kind=EventKind.ESCALATION,
            actor=SYSTEM,
            payload={
                **trigger,
                "step": step.pk,
                "policy": step.policy.name,
                "reason": reason,
                "actions": done,
            },
        )
    return request


def _attempt(run, request, step, reason):
    try:
        return run(request, step, reason)
    except ServiceDeskError as error:
        return request, f"skipped: {error.message}"


def _raise_priority(request, step, reason):
    if request.state not in OPEN or request.priority == raised(request.priority):
        return request, "skipped: nothing to raise"
    request = services.transition(
        request,
        "reprioritize",
        actor=SYSTEM,
        reason=reason,
        data=ReprioritizeData(priority=raised(request.priority)),
    )
    return request, f"priority {request.priority}"


def _raise_level(request, step, reason):
    if request.state not in OPEN:
        return request, "skipped: not open"
    request = services.transition(request, "escalate", actor=SYSTEM, reason=reason)
    return request, f"level {request.escalation_level}"


def _move(request, step, reason):
    if request.state not in OWNED or request.department_id == step.move_to_department_id:
        return request, "skipped: not owned by another department"
    request = services.transition(
        request,
        "transfer",
        actor=SYSTEM,
        reason=reason,
        data=TransferData(department=step.move_to_department_id),
    )
    return request, f"moved to {step.move_to_department}"


def _notify_assignee(request, step, reason):
    if request.assignee_id is None:
        return request, "skipped: no assignee"
    _notify(request, [request.assignee.user], reason)
    return request, request.assignee.user.get_username()


def _notify_lead(request, step, reason):
    leads = list(request.department.leads.all()) if request.department_id else []
    if not leads:
        return request, "skipped: no department lead"
    _notify(request, leads, reason)
    return request, ", ".join(u.get_username() for u in leads)


def _notify(request, users, reason) -> None:
    do_notify(
        recipients=users,
        kind="escalation",
        request=request,
        title=lambda: _("%(reference)s escalated") % {"reference": request.reference},
        body=f"{request.subject}\n\n{reason}",
    )


_ACTIONS = [
    ("raise_priority", _raise_priority),
    ("raise_level", _raise_level),
    ("move_to_department", _move),
    ("notify_assignee", _notify_assignee),
    ("notify_lead", _notify_lead),
]
