"""The `add_step` change: a step a scenario adds to the path (an approval, a consult with
another department), checked when a scenario is stored and made a side step of the model
(apps/simulation/side_steps.py) when it runs.

    "add_step": {"state": "awaiting_approval", "categories": ["7"], "share": 1.0,
                 "hours": {"median": 4, "spread": 0.5}}
    "add_step": [{"state": "consult", "department": "3", "after": "in_progress",
                  "share": 0.2, "hours": "fit"}, ...]

- `state`: `awaiting_approval` (the request waits `hours` of wall time, holding no agent, its
  resolution clock paused) or `consult` (an agent of `department` works `hours` in office
  hours, the wait for a free one included; the clock runs);
- `after`: the state whose exits it sits on (default `new` for an approval, `in_progress` for
  a consult); `share` (above 0, at most 1) of the requests leaving it pass through the step,
  then go where they were going; `categories`: only theirs (default: every category);
- `hours`: `{"median": h, "spread": s}`, a lognormal with that median and the spread (sigma)
  of its logarithm, exactly `h` when `spread` is 0 or left out; or `"fit"`: the time the log
  shows for that step (the as-is model's `awaiting_approval` time; the discovered consults to
  that department)."""

import math
from typing import TypeGuard

from django.utils.translation import gettext as _

from apps.simulation.changes import InvalidChange, mapping, unknown
from apps.simulation.model import ProcessModel, StepDist
from apps.simulation.side_steps import SideStep

FIELD = "add_step"
ADDABLE = ("awaiting_approval", "consult")
DEFAULT_AFTER = {"awaiting_approval": "new", "consult": "in_progress"}
# The states a step may follow (not the ends: nothing leaves them).
AFTER = (
    "new",
    "bot_answered",
    "awaiting_approval",
    "queued",
    "assigned",
    "in_progress",
    "pending_customer",
    "resolved",
)
PARTS = ("state", "after", "categories", "share", "hours", "department")
MAX_HOURS = 24 * 365
MAX_SPREAD = 3.0
FIT = "fit"


def check_add_step(value) -> None:
    """The shape and values of `add_step` (one step or a list); InvalidChange names the field."""
    for step in _steps(value):
        _check_one(step)


def apply_add_step(model: ProcessModel, value) -> None:
    """The steps added to `model` as side steps; InvalidChange for a category or department the
    model does not have, or a time to fit the log does not show."""
    for step in _steps(value):
        model.side_steps.append(_side_step(model, step).to_dict())


def _steps(value) -> list[dict]:
    steps = value if isinstance(value, list) else [value]
    if not steps:
        raise _invalid(_("add_step must be a step or a list of steps."))
    return [mapping(step, FIELD) for step in steps]


def _check_one(step: dict) -> None:
    extra = sorted(set(step) - set(PARTS))
    if extra:
        raise _invalid(_("Unknown part of add_step: %(name)s.") % {"name": extra[0]})
    state = step.get("state")
    if state not in ADDABLE:
        raise _invalid(
            _("add_step's state must be one of %(choices)s.") % {"choices": ", ".join(ADDABLE)}
        )
    if step.get("after", DEFAULT_AFTER[state]) not in AFTER:
        raise unknown(FIELD, _("state"), step.get("after"))
    share = step.get("share")
    if not _number(share) or not 0 < share <= 1:
        raise _invalid(_("add_step's share must be above 0 and at most 1."))
    categories = step.get("categories", [])
    if not isinstance(categories, list) or not all(_name(c) for c in categories):
        raise _invalid(_("add_step's categories must be a list of category ids."))
    department = step.get("department")
    if (state == "consult") != (department is not None):
        raise _invalid(_("A consult names the department consulted; an approval names none."))
    if department is not None and not _name(department):
        raise unknown(FIELD, _("department"), department)
    _check_hours(step.get("hours"))


def _check_hours(hours) -> None:
    if hours == FIT:
        return
    if not isinstance(hours, dict) or set(hours) - {"median", "spread"}:
        raise _invalid(_('add_step\'s hours must be {"median": h, "spread": s} or "fit".'))
    median, spread = hours.get("median"), hours.get("spread", 0)
    if not _number(median) or not 0 < median <= MAX_HOURS:
        raise _invalid(_("add_step's median must be more than 0 and at most a year of hours."))
    if not _number(spread) or not 0 <= spread <= MAX_SPREAD:
        raise _invalid(
            _("add_step's spread must be from 0 to %(max)s.") % {"max": f"{MAX_SPREAD:g}"}
        )


def _side_step(model: ProcessModel, step: dict) -> SideStep:
    state = step["state"]
    categories = [str(c) for c in step.get("categories", [])]
    for category in categories:
        if category not in model.arrivals:
            raise unknown(FIELD, _("category"), category)
    added = SideStep(
        key=state,
        state=state,
        after=step.get("after", DEFAULT_AFTER[state]),
        share=float(step["share"]),
        categories=categories,
    )
    if state == "awaiting_approval":
        added.wait = _approval_time(model) if step["hours"] == FIT else _time(step["hours"])
        return added
    department = str(step["department"])
    if department not in model.capacity:
        raise unknown(FIELD, _("department"), department)
    added.key, added.department = f"consult>{department}", department
    if step["hours"] == FIT:
        added.wait, added.work = _consult_times(model, department)
    else:
        added.work = _time(step["hours"])
    return added


def _time(hours: dict) -> StepDist:
    seconds, spread = float(hours["median"]) * 3600, float(hours.get("spread", 0))
    if not spread:
        return StepDist(kind="fixed", params={"value": seconds}, median=seconds)
    return StepDist(
        kind="lognormal", params={"mu": math.log(seconds), "sigma": spread}, median=seconds
    )


def _approval_time(model: ProcessModel) -> StepDist:
    """The as-is model's time in `awaiting_approval`: its own key, else its most observed."""
    fitted = [
        (dist.n, key, dist)
        for key, dist in model.durations.items()
        if key == "awaiting_approval"
        or key.startswith(("awaiting_approval|", "awaiting_approval<"))
    ]
    if not fitted:
        raise _invalid(_("The log shows no approval to fit its time from: give its hours."))
    own = model.durations.get("awaiting_approval")
    return own if own is not None else max(fitted, key=lambda row: (row[0], row[1]))[2]


def _consult_times(model: ProcessModel, department: str):
    """The wait and work of the discovered consults to `department` (the most frequent)."""
    consults = [
        SideStep.from_dict(s)
        for s in model.side_steps
        if s["kind"] == "consult" and s["department"] == department
    ]
    if not consults:
        raise _invalid(
            _("The log shows no consult to department %(department)s: give its hours.")
            % {"department": department}
        )
    found = max(consults, key=lambda s: (s.share, s.key))
    return found.wait, found.work


def _number(value) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _name(value) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _invalid(message: str) -> InvalidChange:
    return InvalidChange(message, field=FIELD)
