"""Writes: problem records and their transitions, each in one transaction with a row in the
problem's own append-only log, through one door like the requests'."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.actors import Actor
from apps.core.door import Refusals, check_transition, claim_version
from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.improvement.models import Problem, ProblemEvent, ProblemSource
from apps.improvement.problems import verification
from apps.improvement.problems.rules import for_owner, may_create
from apps.tickets.models import Feedback

_TRANSITIONS = frozenset(
    t.name for t in Problem._meta.get_field("state").get_all_transitions(Problem)
)
# What a person may edit on a record; the state and the verification only move by transitions.
EDITABLE = (
    "title",
    "description",
    "root_cause",
    "corrective_action",
    "owner",
    "due_date",
    "indicator",
    "department",
    "category",
)


def do_open_problem(*, actor: Actor, title: str, requests=(), feedback_ids=(), **fields) -> Problem:
    """Open a problem record (by hand, or from a quality alert or a feedback theme: `source`,
    `quality_alert`, `theme`), linking `requests` and the requests of the feedback comments
    `feedback_ids` (a theme's `comment_ids`).

    Writes: the problem, its links and an `open` row in its log. Raises: Forbidden unless the
    actor leads a department or supervises; InvalidData without a title or with unknown fields.
    """
    if not may_create(actor):
        raise Forbidden(_("Department leads open problem records."))
    if not (title or "").strip():
        raise InvalidData(_("A problem needs a title."), fields={"title": _("Required.")})
    allowed = {*EDITABLE, "source", "quality_alert", "theme"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidData(_("Unknown fields."), fields={name: _("Unknown.") for name in unknown})
    alert = fields.get("quality_alert")
    if alert is not None:
        fields.setdefault("source", ProblemSource.QUALITY_ALERT)
        fields.setdefault("department", alert.department)
    elif fields.get("theme") or feedback_ids:
        fields.setdefault("source", ProblemSource.FEEDBACK_THEME)
    linked = {r.pk for r in requests} | set(
        Feedback.objects.filter(pk__in=list(feedback_ids)).values_list("request_id", flat=True)
    )
    with transaction.atomic():
        problem = Problem.objects.create(
            title=title.strip(),
            created_by=actor.user,
            created_at=timezone.now(),
            owner=fields.pop("owner", None) or actor.user,
            **fields,
        )
        problem.requests.set(linked)
        _log(problem, "open", "", actor, {"requests": sorted(linked)})
    return problem


def do_update_problem(
    problem: Problem, *, actor: Actor, expected_version: int | None = None, **changes
) -> Problem:
    """Change the editable fields (root cause, corrective action, owner, due date...).

    Writes: the problem (version bumped) and an `edit` row listing the changed fields. Raises:
    Forbidden unless the actor may move it; Conflict on a stale `expected_version`; InvalidData
    for fields that are not editable; NotAllowed once it is verified or cancelled."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidData(_("Not editable."), fields={name: _("Not editable.") for name in unknown})
    with transaction.atomic():
        fresh = _claim(problem, expected_version)
        if not for_owner(fresh, actor):
            raise Forbidden(
                _("Only the owner or the department's leads edit %(problem)s.")
                % {"problem": fresh.reference}
            )
        if fresh.closed_at is not None:
            raise NotAllowed(
                _("%(problem)s is %(state)s.") % {"problem": fresh.reference, "state": fresh.state},
                state=fresh.state,
            )
        changed = [name for name, value in changes.items() if getattr(fresh, name) != value]
        for name in changed:
            setattr(fresh, name, changes[name])
        fresh.save()
        _log(fresh, "edit", fresh.state, actor, {"fields": sorted(changed)})
    return fresh


def do_link_requests(problem: Problem, *, actor: Actor, ids, unlink=False) -> Problem:
    """Link (or unlink) the requests with primary keys `ids` to the problem.

    Writes: the links and a `link` (or `unlink`) row. Raises Forbidden as `do_update_problem`."""
    with transaction.atomic():
        fresh = _claim(problem, None)
        if not for_owner(fresh, actor):
            raise Forbidden(
                _("Only the owner or the department's leads edit %(problem)s.")
                % {"problem": fresh.reference}
            )
        ids = sorted(ids)
        (fresh.requests.remove if unlink else fresh.requests.add)(*ids)
        _log(fresh, "unlink" if unlink else "link", fresh.state, actor, {"requests": ids})
    return fresh


def transition_problem(
    problem: Problem,
    name: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
    reason: str = "",
    payload: dict | None = None,
) -> Problem:
    """Run transition `name` (analyse, plan, implement, verify, reopen, cancel) as `actor`.

    Writes: the problem (state, version, dates) and one row in its log, in one transaction.
    Raises: Conflict if it changed since `expected_version`; NotAllowed if the transition is
    unknown or not possible now (its allowed ones listed); Forbidden for other people."""
    if name not in _TRANSITIONS:
        raise NotAllowed(
            _("There is no transition '%(name)s'.") % {"name": name}, state=problem.state
        )
    with transaction.atomic():
        fresh = _claim(problem, expected_version)
        method = check_transition(
            fresh,
            name,
            actor,
            lambda: Refusals(
                not_possible=_("'%(name)s' is not possible while %(problem)s is %(state)s.")
                % {"name": name, "problem": fresh.reference, "state": fresh.state},
                forbidden=_("Only the owner or the department's leads move %(problem)s.")
                % {"problem": fresh.reference},
            ),
        )
        from_state = fresh.state
        method(at=timezone.now())
        fresh.save()
        details = dict(payload or {})
        if reason.strip():
            details["reason"] = reason.strip()
        _log(fresh, name, from_state, actor, details)
    return fresh


def do_verify_problem(
    problem: Problem, *, actor: Actor, expected_version: int | None = None, now=None
) -> Problem:
    """Measure the indicator before and after the implementation and close the loop: verified
    when the after period is significantly better, otherwise reopened for more analysis.

    Writes: the verification (both periods, the test, its p-value), then the `verify` or
    `reopen` transition with the verification in its log row. Raises: NotAllowed unless the
    problem is implemented; Forbidden and Conflict as `transition_problem`."""
    with transaction.atomic():
        fresh = _claim(problem, expected_version)
        if fresh.state != "implemented":
            raise NotAllowed(
                _("%(problem)s is %(state)s: only an implemented action is verified.")
                % {"problem": fresh.reference, "state": fresh.state},
                state=fresh.state,
                allowed=fresh.transitions_for(actor),
            )
        if not for_owner(fresh, actor):
            raise Forbidden(
                _("Only the owner or the department's leads verify %(problem)s.")
                % {"problem": fresh.reference}
            )
        fresh.verification = verification.verify(fresh, now=now)
        fresh.save(update_fields=["verification"])
        name = "verify" if fresh.verification["improved"] else "reopen"
        return transition_problem(
            fresh, name, actor=actor, payload={"verification": fresh.verification}
        )


def _claim(problem: Problem, expected_version: int | None) -> Problem:
    expected = problem.version if expected_version is None else expected_version
    return claim_version(Problem, problem.pk, expected)


def _log(problem: Problem, name: str, from_state: str, actor: Actor, payload: dict):
    seq = (problem.events.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return ProblemEvent.objects.create(
        problem=problem,
        seq=seq,
        transition=name,
        from_state=from_state,
        to_state=problem.state,
        actor=actor.user,
        actor_role=actor.role,
        at=timezone.now(),
        payload=payload,
    )
