"""The steps of a PDCA cycle: plan, record the change (do), check, decide (act).

Each step is one transaction on the locked cycle, refused with a clear reason: Forbidden for a
user who does not lead a department, NotAllowed for a step out of turn, InvalidData naming the
bad fields. A cycle is a record kept simply: no event log, each step keeps who and when."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.actors import actor_for_user
from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.improvement.selectors import list_problems_for
from apps.quality.scorecard import INDICATORS
from apps.simulation.access import leads
from apps.simulation.models import (
    CycleState,
    Decision,
    Direction,
    ImprovementCycle,
    ScenarioStatus,
)
from apps.simulation.pdca.check import check_cycle, scenario_prediction

MIN_DAYS, MAX_DAYS = 7, 180
# What a plan may set besides its title, indicator and target.
PLAN_FIELDS = ("direction", "baseline_days", "problem", "scenario", "predicted_value", "owner")
# The range of each unit's values (hours and counts have no top).
_RANGES = {"share": (0.0, 1.0), "1-5": (1.0, 5.0), "hours": (0.0, None), "count": (0.0, None)}


def validate_plan(*, indicator: str, target_value, **plan) -> dict:
    """The plan's fields, completed (direction from the indicator's good direction); raises
    InvalidData naming every bad one."""
    errors = {}
    unknown = set(plan) - set(PLAN_FIELDS)
    if unknown:
        errors.update({name: _("Not a field of a plan.") for name in sorted(unknown)})
    if indicator not in INDICATORS:
        errors["indicator"] = _("One of %(names)s.") % {"names": ", ".join(INDICATORS)}
    else:
        low, high = _RANGES[INDICATORS[indicator][1]]
        for name in ("target_value", "predicted_value"):
            value = target_value if name == "target_value" else plan.get(name)
            if value is not None and (value < low or (high is not None and value > high)):
                errors[name] = _range_message(low, high)
    if plan.get("direction") not in (None, *Direction.values):
        errors["direction"] = _("One of %(names)s.") % {"names": ", ".join(Direction.values)}
    days = plan.get("baseline_days")
    if days is not None and not MIN_DAYS <= days <= MAX_DAYS:
        errors["baseline_days"] = _("Between %(low)d and %(high)d days.") % {
            "low": MIN_DAYS,
            "high": MAX_DAYS,
        }
    scenario = plan.get("scenario")
    if scenario is not None and scenario.status != ScenarioStatus.DONE:
        errors["scenario"] = _("Only a scenario that has run predicts anything.")
    if errors:
        raise InvalidData(_("The plan is not complete."), fields=errors)
    if not plan.get("direction"):
        plan["direction"] = Direction.AT_LEAST if INDICATORS[indicator][2] else Direction.AT_MOST
    return plan


def validate_change(*, change: str, changed_on: date | None) -> None:
    """Raises InvalidData without a description of the change or with a day still to come."""
    errors = {}
    if not change.strip():
        errors["change"] = _("Say what was changed.")
    if changed_on is None or changed_on > timezone.localdate():
        errors["changed_on"] = _("The day the change was made: today or earlier.")
    if errors:
        raise InvalidData(_("The change is not recorded."), fields=errors)


def validate_decision(*, decision: str, note: str) -> None:
    """Raises InvalidData for an unknown decision, or adjust or abandon without a note."""
    errors = {}
    if decision not in Decision.values:
        errors["decision"] = _("One of %(names)s.") % {"names": ", ".join(Decision.values)}
    elif decision != Decision.ADOPT and not note.strip():
        errors["note"] = _("Say why the change is adjusted or abandoned.")
    if errors:
        raise InvalidData(_("The decision is not recorded."), fields=errors)


def _range_message(low: float, high: float | None) -> str:
    if high is None:
        return _("At least %(low)s.") % {"low": low}
    return _("Between %(low)s and %(high)s.") % {"low": low, "high": high}


def do_plan_cycle(
    *, user, title: str, indicator: str, target_value: float, **plan
) -> ImprovementCycle:
    """Store a planned cycle (state plan). Writes the cycle with the scenario's estimates as
    its prediction; raises Forbidden, InvalidData."""
    _must_lead(user)
    if not title.strip():
        raise InvalidData(_("The plan is not complete."), fields={"title": _("Required.")})
    plan = validate_plan(indicator=indicator, target_value=target_value, **plan)
    problem = plan.get("problem")
    if problem is not None and not list_problems_for(actor_for_user(user)).filter(pk=problem.pk):
        # The same answer as for a problem that does not exist: nothing to learn from it.
        raise InvalidData(_("The plan is not complete."), fields={"problem": _("No such problem.")})
    prediction = scenario_prediction(plan["scenario"]) if plan.get("scenario") else {}
    if plan.get("predicted_value") is not None:
        prediction[indicator] = {
            **prediction.get(indicator, {"low": None, "high": None}),
            "value": plan["predicted_value"],
        }
    elif indicator in prediction:
        plan["predicted_value"] = prediction[indicator]["value"]
    return ImprovementCycle.objects.create(
        title=title.strip(),
        indicator=indicator,
        target_value=target_value,
        prediction=prediction,
        planned_by=user,
        planned_at=timezone.now(),
        **plan,
    )


def do_record_change(
    cycle: ImprovementCycle, *, user, change: str, changed_on: date
) -> ImprovementCycle:
    """Record the change made and its day (plan -> do); the check falls due `baseline_days`
    after it. A cycle adjusted into this one is closed. Raises Forbidden, NotAllowed,
    InvalidData (no description, a day still to come)."""
    _must_lead(user)
    validate_change(change=change, changed_on=changed_on)
    now = timezone.now()
    with transaction.atomic():
        cycle = _locked(cycle, CycleState.PLAN)
        cycle.change, cycle.changed_on = change.strip(), changed_on
        cycle.check_due = changed_on + timedelta(days=cycle.baseline_days)
        cycle.state, cycle.change_recorded_by, cycle.change_recorded_at = CycleState.DO, user, now
        cycle.save()
        cycle.previous_cycles.filter(state=CycleState.ACT).update(
            state=CycleState.CLOSED, closed_at=now
        )
    return cycle


def do_check_cycle(cycle: ImprovementCycle, *, user, today: date | None = None) -> ImprovementCycle:
    """Measure every indicator after the change against before it (do -> check; a checked
    cycle may be checked again). Writes `results`; raises Forbidden, NotAllowed (before the
    after period has ended)."""
    _must_lead(user)
    today = today or timezone.localdate()
    with transaction.atomic():
        cycle = _locked(cycle, CycleState.DO, CycleState.CHECK)
        due = cycle.check_due
        if due is None or today < due:  # a cycle in do always has its due day
            raise NotAllowed(
                _("The days after the change run until %(day)s: check from then on.")
                % {"day": due.isoformat() if due else "-"}
            )
        cycle.results = check_cycle(cycle)
        cycle.state, cycle.checked_by, cycle.checked_at = CycleState.CHECK, user, timezone.now()
        cycle.save()
    return cycle


def do_decide_cycle(
    cycle: ImprovementCycle, *, user, decision: str, note: str = "", next_title: str = ""
) -> ImprovementCycle:
    """Record the decision (check -> closed; adjust: -> act, with the next cycle planned from
    this one's target, which closes this one when its change is made). Raises Forbidden,
    NotAllowed, InvalidData (an unknown decision; adjust or abandon without a note)."""
    _must_lead(user)
    validate_decision(decision=decision, note=note)
    now = timezone.now()
    with transaction.atomic():
        cycle = _locked(cycle, CycleState.CHECK)
        cycle.decision, cycle.decision_note = decision, note.strip()
        cycle.decided_by, cycle.decided_at = user, now
        if decision == Decision.ADJUST:
            cycle.next_cycle = _next_cycle(cycle, user=user, title=next_title)
            cycle.state = CycleState.ACT
        else:
            cycle.state, cycle.closed_at = CycleState.CLOSED, now
        cycle.save()
    return cycle


def _next_cycle(cycle: ImprovementCycle, *, user, title: str) -> ImprovementCycle:
    return ImprovementCycle.objects.create(
        title=title.strip() or _("%(title)s, adjusted") % {"title": cycle.title},
        problem=cycle.problem,
        owner=cycle.owner,
        indicator=cycle.indicator,
        target_value=cycle.target_value,
        direction=cycle.direction,
        baseline_days=cycle.baseline_days,
        planned_by=user,
        planned_at=timezone.now(),
    )


def _must_lead(user) -> None:
    if not leads(user):
        raise Forbidden(_("PDCA cycles are for department leads."))


def _locked(cycle: ImprovementCycle, *states: str) -> ImprovementCycle:
    locked = ImprovementCycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.state not in states:
        raise NotAllowed(
            _("The cycle is at %(state)s; this step is for %(states)s.")
            % {
                "state": locked.get_state_display(),
                "states": ", ".join(str(CycleState(s).label) for s in states),
            },
            state=locked.state,
        )
    return locked
