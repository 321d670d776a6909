"""Scenarios: a process change applied to the as-is model, run beside it with the same seeds.

A change is a plain dict (stored as JSON with a scenario) of any of:

- `agents`: {department id: agents} — staffing per department, one number for every hour or
  a list of the 24 hours of the day (UTC);
- `arrival_growth`: a share, 0.2 for 20 % more requests in every hour of the week;
- `route`: {category id: department id} — the category's requests go straight there;
- `bot_coverage`: the share of new requests the bot answers (its acceptance unchanged);
- `skip_states`: [state] — a step removed (approval, say): who entered it goes where it led;
- `add_step`: a step added (an approval, a consult): a share of the requests leaving a state
  pass through it first (apps/simulation/added_steps.py);
- `resolution_hours`: {priority: hours} — other resolution targets;
- `first_response_hours`: {priority: hours} — other first-response targets (the one target of
  all the priority's requests, replacing the tiers' mix read from the log);
- `next_response_hours`: {priority: hours} — other next-response targets;
- `skills`: {department: {categories: agents}} — agents added who can work those categories
  (comma-separated category ids, "*" any; apps/simulation/skills.py);
- `routing_strategy`: {department: strategy} — how its requests reach an agent: round robin,
  least loaded, skills or manual (apps/simulation/assignment.py);
- `handoff_refusals`: {"consult|3>4": share} — the share of a discovered handoff pair's
  handoffs declined or expired (apps/simulation/handoff_steps.py);
- `optimise_staffing`: {"target_share", "band_hours", "budget"} — after the other changes,
  the fewest agents per department and hour that meet the target (apps/simulation/staffing.py;
  run by the scenario's service instead of the side-by-side comparison).

Every run uses common random numbers: replication i of the as-is model and of the scenario
share seed + i, so their difference is the change's, not the dice's."""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from apps.simulation.added_steps import apply_add_step
from apps.simulation.assignment import change_strategy
from apps.simulation.calendar import agent_seconds
from apps.simulation.changes import check, mapping, unknown
from apps.simulation.handoff_steps import change_refusals
from apps.simulation.kpis import Estimate, replicate
from apps.simulation.model import ProcessModel
from apps.simulation.skills import add_skilled_agents

# The states a scenario may remove from the path; the others carry the process itself.
HOUR = 3600.0


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
    """The agents' open hours on duty over `days` from a Monday: the cost side of a staffing
    change."""
    return sum(agent_seconds(model, d, 0.0, days * 86400) for d in model.capacity) / HOUR


def _agents(model: ProcessModel, staffing: dict) -> None:
    for department, agents in mapping(staffing, "agents").items():
        if department not in model.capacity:
            raise unknown("agents", _("department"), department)
        if isinstance(agents, list):
            model.staffing[department] = list(agents)
            model.capacity[department] = max(agents)
        else:
            model.staffing.pop(department, None)
            model.capacity[department] = agents


def _arrival_growth(model: ProcessModel, growth) -> None:
    model.arrivals = {
        category: [rate * (1 + growth) for rate in rates]
        for category, rates in model.arrivals.items()
    }


def _route(model: ProcessModel, routes: dict) -> None:
    departments = set(model.capacity) | {d for shares in model.routes.values() for d in shares}
    for category, department in mapping(routes, "route").items():
        if category not in model.arrivals:
            raise unknown("route", _("category"), category)
        if str(department) not in departments:
            raise unknown("route", _("department"), department)
        # The first routing only (from no department); transfers keep their shares.
        model.routes[f"{category}|"] = {str(department): 1.0}


def _bot_coverage(model: ProcessModel, share) -> None:
    for key, choices in model.transitions.items():
        if key.split("|")[0] == "new":
            model.transitions[key] = _with_share(choices, "bot_answered", float(share))


def _skip_states(model: ProcessModel, states: list) -> None:
    for state in states:
        for key, choices in list(model.transitions.items()):
            if state in choices and key.split("|")[0] != state:
                category = key.split("|")[1] if "|" in key else ""
                onward = model.transitions.get(f"{state}|{category}") or model.transitions.get(
                    state, {}
                )
                model.transitions[key] = _bypass(choices, state, onward)


def _resolution_hours(model: ProcessModel, targets: dict) -> None:
    for priority, hours in mapping(targets, "resolution_hours").items():
        model.resolution_targets[priority] = float(hours) * HOUR
        model.resolution_mix.pop(priority, None)


def _first_response_hours(model: ProcessModel, targets: dict) -> None:
    for priority, hours in mapping(targets, "first_response_hours").items():
        model.response_targets[priority] = float(hours) * HOUR
        model.response_mix.pop(priority, None)


def _next_response_hours(model: ProcessModel, targets: dict) -> None:
    for priority, hours in mapping(targets, "next_response_hours").items():
        model.next_targets[priority] = float(hours) * HOUR


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
    "add_step": apply_add_step,
    "resolution_hours": _resolution_hours,
    "first_response_hours": _first_response_hours,
    "next_response_hours": _next_response_hours,
    "skills": add_skilled_agents,
    "routing_strategy": change_strategy,
    "handoff_refusals": change_refusals,
    # Not a change of the model: the search run on the changed model (services._run).
    "optimise_staffing": lambda model, options: None,
}
CHANGES = tuple(_APPLY)
