"""The shape and values of a scenario's changes, checked before any model exists (when a
scenario is stored): light to import, so the admin and the API load no numerical library at
start-up. Names of departments and categories are checked against the model when it runs
(apps/simulation/scenarios.py)."""

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from apps.core.errors import InvalidData
from apps.routing.decisions import LEAST_LOADED, MANUAL, ROUND_ROBIN, SKILLS

# The states a scenario may remove from the path; the others carry the process itself.
SKIPPABLE = ("awaiting_approval", "bot_answered", "pending_customer", "assigned")
MAX_AGENTS = 1000
# Agents by hour: one number per hour of the day (UTC), the same every day.
HOURS_PER_DAY = 24
# Staffing optimisation (apps/simulation/staffing.py), run after the other changes.
OPTIMISE_DEFAULTS = {"target_share": 0.9, "band_hours": 1, "budget": 300}
BAND_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)
MIN_BUDGET, MAX_BUDGET = 10, 5000
# The desk's assignment strategies (apps/routing/decisions.py; apps/simulation/assignment.py).
STRATEGIES = (MANUAL, ROUND_ROBIN, LEAST_LOADED, SKILLS)
# A discovered handoff step: its kind and department pair (apps/simulation/handoff_steps.py).
HANDOFF_KEY = re.compile(r"(consult|transfer)\|[^|>]+>[^|>]+")


class InvalidChange(InvalidData):
    """A change that names something the model does not have, or a value out of range."""


def _check_agents(staffing) -> None:
    for agents in mapping(staffing, "agents").values():
        shifts = agents if isinstance(agents, list) else [agents]
        if isinstance(agents, list) and len(agents) != HOURS_PER_DAY:
            raise InvalidChange(
                _("Agents by hour must list the %(hours)d hours of the day.")
                % {"hours": HOURS_PER_DAY},
                field="agents",
            )
        if not all(_whole(n) and 0 <= n <= MAX_AGENTS for n in shifts):
            raise InvalidChange(
                _("Agents must be a whole number from 0 to %(max)d.") % {"max": MAX_AGENTS},
                field="agents",
            )


def _check_arrival_growth(growth) -> None:
    if not _number(growth) or not -1 < growth <= 10:
        raise InvalidChange(
            _("Arrival growth must be a share above -1 and at most 10."), field="arrival_growth"
        )


def _check_route(routes) -> None:
    for department in mapping(routes, "route").values():
        if not isinstance(department, str | int) or isinstance(department, bool):
            raise unknown("route", _("department"), department)


def _check_bot_coverage(share) -> None:
    if not _number(share) or not 0 <= share <= 1:
        raise InvalidChange(_("Bot coverage must be a share from 0 to 1."), field="bot_coverage")


def _check_skip_states(states) -> None:
    if not isinstance(states, list):
        raise InvalidChange(_("Skip states must be a list of states."), field="skip_states")
    for state in states:
        if state not in SKIPPABLE:
            raise unknown("skip_states", _("state"), state)


def _check_resolution_hours(targets) -> None:
    for hours in mapping(targets, "resolution_hours").values():
        if not _number(hours) or not 0 < hours <= 24 * 365:
            raise InvalidChange(
                _("A resolution target must be more than 0 and at most a year of hours."),
                field="resolution_hours",
            )


def _check_first_response_hours(targets) -> None:
    _check_target_hours(
        targets,
        "first_response_hours",
        _("A first-response target must be more than 0 and at most a year of hours."),
    )


def _check_next_response_hours(targets) -> None:
    _check_target_hours(
        targets,
        "next_response_hours",
        _("A next-response target must be more than 0 and at most a year of hours."),
    )


def _check_target_hours(targets, field: str, message: str) -> None:
    for hours in mapping(targets, field).values():
        if not _number(hours) or not 0 < hours <= 24 * 365:
            raise InvalidChange(message, field=field)


def _check_skills(skills) -> None:
    """{department: {"7" or "7,8" (category ids) or "*" (any): agents added}}."""
    for groups in mapping(skills, "skills").values():
        for key, agents in mapping(groups, "skills").items():
            if not key or any(not part.strip() for part in key.split(",")):
                raise InvalidChange(
                    _('Skills name categories by id, comma-separated, or "*" for any: %(key)s.')
                    % {"key": key},
                    field="skills",
                )
            if not _whole(agents) or not 1 <= agents <= MAX_AGENTS:
                raise InvalidChange(
                    _("Skilled agents added must be a whole number from 1 to %(max)d.")
                    % {"max": MAX_AGENTS},
                    field="skills",
                )


def _check_routing_strategy(strategies) -> None:
    """{department: "manual", "round_robin", "least_loaded" or "skills"}."""
    for strategy in mapping(strategies, "routing_strategy").values():
        if strategy not in STRATEGIES:
            raise InvalidChange(
                _("A routing strategy is one of %(choices)s, not %(value)s.")
                % {"choices": ", ".join(STRATEGIES), "value": strategy},
                field="routing_strategy",
            )


def _check_handoff_refusals(refusals) -> None:
    """{"consult|3>4": share}: the share of that pair's handoffs declined or expired."""
    for key, share in mapping(refusals, "handoff_refusals").items():
        if not HANDOFF_KEY.fullmatch(key):
            raise InvalidChange(
                _('A handoff is named by its kind and departments, "consult|3>4": %(key)s.')
                % {"key": key},
                field="handoff_refusals",
            )
        if not _number(share) or not 0 <= share <= 1:
            raise InvalidChange(
                _("A share declined or expired must be from 0 to 1."), field="handoff_refusals"
            )


def _check_optimise_staffing(settings) -> None:
    """{"target_share": 0.9, "band_hours": 1, "budget": 300}, every part optional."""
    options = mapping(settings, "optimise_staffing")
    extra = sorted(set(options) - set(OPTIMISE_DEFAULTS))
    if extra:
        raise InvalidChange(
            _("Unknown option of optimise_staffing: %(name)s.") % {"name": extra[0]},
            field="optimise_staffing",
        )
    share = options.get("target_share", OPTIMISE_DEFAULTS["target_share"])
    band = options.get("band_hours", OPTIMISE_DEFAULTS["band_hours"])
    budget = options.get("budget", OPTIMISE_DEFAULTS["budget"])
    if not _number(share) or not 0 < share < 1:
        raise InvalidChange(
            _("The target share must be above 0 and below 1."), field="optimise_staffing"
        )
    if not _whole(band) or band not in BAND_HOURS:
        raise InvalidChange(
            _("Band hours must divide the day: one of %(choices)s.")
            % {"choices": ", ".join(map(str, BAND_HOURS))},
            field="optimise_staffing",
        )
    if not _whole(budget) or not MIN_BUDGET <= budget <= MAX_BUDGET:
        raise InvalidChange(
            _("The budget must be from %(low)d to %(high)d simulation runs.")
            % {"low": MIN_BUDGET, "high": MAX_BUDGET},
            field="optimise_staffing",
        )


def _check_add_step(steps) -> None:
    # Imported here: apps/simulation/added_steps.py builds on this module's errors.
    from apps.simulation.added_steps import check_add_step

    check_add_step(steps)


def check(changes) -> None:
    """The changes' shape and values, before any model exists (when a scenario is stored):
    InvalidChange names the first bad one. Names of departments and categories are checked
    against the model when it runs."""
    if not isinstance(changes, dict):
        raise InvalidChange(_("Changes must be an object."), field="changes")
    extra = sorted(set(changes) - set(CHANGES))
    if extra:
        raise InvalidChange(_("Unknown change: %(name)s.") % {"name": extra[0]}, field=extra[0])
    for name, value in changes.items():
        _CHECK[name](value)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def mapping(value, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidChange(_("%(field)s must be an object.") % {"field": field}, field=field)
    return {str(key): item for key, item in value.items()}


def unknown(field: str, what: str, value) -> InvalidChange:
    return InvalidChange(
        _("Unknown %(what)s in %(field)s: %(value)s.")
        % {"what": what, "field": field, "value": value},
        field=field,
    )


_CHECK: dict[str, Callable[[Any], None]] = {
    "agents": _check_agents,
    "arrival_growth": _check_arrival_growth,
    "route": _check_route,
    "bot_coverage": _check_bot_coverage,
    "skip_states": _check_skip_states,
    "add_step": _check_add_step,
    "resolution_hours": _check_resolution_hours,
    "first_response_hours": _check_first_response_hours,
    "next_response_hours": _check_next_response_hours,
    "skills": _check_skills,
    "routing_strategy": _check_routing_strategy,
    "handoff_refusals": _check_handoff_refusals,
    "optimise_staffing": _check_optimise_staffing,
}
CHANGES = tuple(_CHECK)
