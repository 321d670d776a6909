"""Scenarios: a process change applied to the as-is model, run beside it with the same seeds.

A change is a plain dict (stored as JSON with a scenario) of any of:

- `agents`: {department id: agents} — staffing per department;
- `arrival_growth`: a share, 0.2 for 20 % more requests in every hour of the week;
- `route`: {category id: department id} — the category's requests go straight there;
- `bot_coverage`: the share of new requests the bot answers (its acceptance unchanged);
- `skip_states`: [state] — a step removed (approval, say): who entered it goes where it led;
- `resolution_hours`: {priority: hours} — other resolution targets.

Every run uses common random numbers: replication i of the as-is model and of the scenario
share seed + i, so their difference is the change's, not the dice's."""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from apps.core.errors import InvalidData
from apps.simulation.calendar import open_seconds
from apps.simulation.kpis import Estimate, replicate
from apps.simulation.model import ProcessModel

# The states a scenario may remove from the path; the others carry the process itself.
SKIPPABLE = ("awaiting_approval", "bot_answered", "pending_customer", "assigned")
MAX_AGENTS = 1000
HOUR = 3600.0


class InvalidChange(InvalidData):
    """A change that names something the model does not have, or a value out of range."""


@dataclass
class Comparison:
    """Per KPI, the as-is estimate and the scenario's; agent hours of each over the run."""

    as_is: dict[str, Estimate]
    scenario: dict[str, Estimate]
    agent_hours: tuple[float, float]


def apply(model: ProcessModel, changes: dict) -> ProcessModel:
    """A copy of `model` with `changes` made; InvalidChange names the first bad one."""
    check(changes)
    changed = copy.deepcopy(model)
    for name, change in _APPLY.items():
        if name in changes:
            change(changed, changes[name])
    return changed


def check(changes) -> None:
    """The changes' shape and values, before any model exists (when a scenario is stored):
    InvalidChange names the first bad one. Names of departments and categories are checked
    against the model when it runs."""
    if not isinstance(changes, dict):
        raise InvalidChange(_("Changes must be an object."), field="changes")
    unknown = sorted(set(changes) - set(CHANGES))
    if unknown:
        raise InvalidChange(_("Unknown change: %(name)s.") % {"name": unknown[0]}, field=unknown[0])
    for name, value in changes.items():
        _CHECK[name](value)


def compare(
    model: ProcessModel,
    changes: dict,
    *,
    days: float,
    replications: int,
    seed: int,
    warmup_days=2.0,
) -> Comparison:
    scenario = apply(model, changes)
    runs = {
        "as_is": replicate(
            model, days=days, replications=replications, seed=seed, warmup_days=warmup_days
        ),
        "scenario": replicate(
            scenario, days=days, replications=replications, seed=seed, warmup_days=warmup_days
        ),
    }
    hours = (agent_hours(model, days), agent_hours(scenario, days))
    return Comparison(runs["as_is"], runs["scenario"], hours)


def agent_hours(model: ProcessModel, days: float) -> float:
    """The agents' open hours over `days` from a Monday: the cost side of a staffing change."""
    return sum(model.capacity.values()) * open_seconds(model.open_hours, 0.0, days * 86400) / HOUR


def _check_agents(staffing) -> None:
    for agents in _mapping(staffing, "agents").values():
        if not _whole(agents) or not 0 <= agents <= MAX_AGENTS:
            raise InvalidChange(
                _("Agents must be a whole number from 0 to %(max)d.") % {"max": MAX_AGENTS},
                field="agents",
            )


def _agents(model: ProcessModel, staffing: dict) -> None:
    for department, agents in _mapping(staffing, "agents").items():
        if department not in model.capacity:
            raise _unknown("agents", _("department"), department)
        model.capacity[department] = agents


def _check_arrival_growth(growth) -> None:
    if not _number(growth) or not -1 < growth <= 10:
        raise InvalidChange(
            _("Arrival growth must be a share above -1 and at most 10."), field="arrival_growth"
        )


def _arrival_growth(model: ProcessModel, growth) -> None:
    model.arrivals = {
        category: [rate * (1 + growth) for rate in rates]
        for category, rates in model.arrivals.items()
    }


def _check_route(routes) -> None:
    for department in _mapping(routes, "route").values():
        if not isinstance(department, str | int) or isinstance(department, bool):
            raise _unknown("route", _("department"), department)


def _route(model: ProcessModel, routes: dict) -> None:
    departments = set(model.capacity) | {d for shares in model.routes.values() for d in shares}
    for category, department in _mapping(routes, "route").items():
        if category not in model.arrivals:
            raise _unknown("route", _("category"), category)
        if str(department) not in departments:
            raise _unknown("route", _("department"), department)
        # The first routing only (from no department); transfers keep their shares.
        model.routes[f"{category}|"] = {str(department): 1.0}


def _check_bot_coverage(share) -> None:
    if not _number(share) or not 0 <= share <= 1:
        raise InvalidChange(_("Bot coverage must be a share from 0 to 1."), field="bot_coverage")


def _bot_coverage(model: ProcessModel, share) -> None:
    for key, choices in model.transitions.items():
        if key.split("|")[0] == "new":
            model.transitions[key] = _with_share(choices, "bot_answered", float(share))


def _check_skip_states(states) -> None:
    if not isinstance(states, list):
        raise InvalidChange(_("Skip states must be a list of states."), field="skip_states")
    for state in states:
        if state not in SKIPPABLE:
            raise _unknown("skip_states", _("state"), state)


def _skip_states(model: ProcessModel, states: list) -> None:
    for state in states:
        for key, choices in list(model.transitions.items()):
            if state in choices and key.split("|")[0] != state:
                category = key.split("|")[1] if "|" in key else ""
                onward = model.transitions.get(f"{state}|{category}") or model.transitions.get(
                    state, {}
                )
                model.transitions[key] = _bypass(choices, state, onward)


def _check_resolution_hours(targets) -> None:
    for hours in _mapping(targets, "resolution_hours").values():
        if not _number(hours) or not 0 < hours <= 24 * 365:
            raise InvalidChange(
                _("A resolution target must be more than 0 and at most a year of hours."),
                field="resolution_hours",
            )


def _resolution_hours(model: ProcessModel, targets: dict) -> None:
    for priority, hours in _mapping(targets, "resolution_hours").items():
        model.resolution_targets[priority] = float(hours) * HOUR


def _with_share(choices: dict[str, float], state: str, share: float) -> dict[str, float]:
    """`choices` with `state` at `share`, the others scaled to fill the rest."""
    others = {k: v for k, v in choices.items() if k != state}
    total = sum(others.values())
    if not total:
        return {state: 1.0}
    scaled = {k: v / total * (1 - share) for k, v in others.items()}
    return {**scaled, state: share} if share else scaled


def _bypass(choices: dict[str, float], state: str, onward: dict[str, float]) -> dict[str, float]:
    """`choices` with `state`'s share passed on to where `state` leads (loops to itself and
    back to the skipped state dropped)."""
    share = choices[state]
    merged = {k: v for k, v in choices.items() if k != state}
    onward = {k: v for k, v in onward.items() if k != state}
    total = sum(onward.values())
    if not total:
        return choices
    for following, weight in onward.items():
        merged[following] = merged.get(following, 0.0) + share * weight / total
    return merged


_APPLY: dict[str, Callable[[ProcessModel, Any], None]] = {
    "agents": _agents,
    "arrival_growth": _arrival_growth,
    "route": _route,
    "bot_coverage": _bot_coverage,
    "skip_states": _skip_states,
    "resolution_hours": _resolution_hours,
}
CHANGES = tuple(_APPLY)
_CHECK: dict[str, Callable[[Any], None]] = {
    "agents": _check_agents,
    "arrival_growth": _check_arrival_growth,
    "route": _check_route,
    "bot_coverage": _check_bot_coverage,
    "skip_states": _check_skip_states,
    "resolution_hours": _check_resolution_hours,
}


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _mapping(value, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidChange(_("%(field)s must be an object.") % {"field": field}, field=field)
    return {str(key): item for key, item in value.items()}


def _unknown(field: str, what: str, value) -> InvalidChange:
    return InvalidChange(
        _("Unknown %(what)s in %(field)s: %(value)s.")
        % {"what": what, "field": field, "value": value},
        field=field,
    )
