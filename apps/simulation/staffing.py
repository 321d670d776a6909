"""Staffing that optimises: the fewest agents per department and band of hours of the day whose
simulated resolution-SLA compliance meets a target, and where moving agents between
departments would help.

The search starts from Erlang C (exact for an M/M/c department whose time to resolve is the
wait plus the service) on the load a pilot run with ample agents measures per department and
band, then simulates: agents are added where a department misses its target (in its busiest
band) and taken away one band at a time where it still meets it (its quietest band first),
every staffing judged on the lower bound of its 95 % interval, with the same seeds throughout
(common random numbers). The number of simulation runs is bounded by a budget; what is
returned is always a staffing that was simulated and met every target it could.
"""

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from apps.improvement.staffing.erlang import erlang_c
from apps.simulation.calendar import agent_seconds, open_seconds
from apps.simulation.changes import BAND_HOURS, InvalidChange
from apps.simulation.engine import HOUR, Run, simulate
from apps.simulation.kpis import interval, met_target
from apps.simulation.model import ProcessModel
from apps.simulation.scenarios import agent_hours
from apps.simulation.skills import lender
from apps.simulation.staffing_moves import (
    HOURS_PER_DAY,
    Judged,
    Move,
    moved_staffing,
    suggest_moves,
)

# A department still missing its target whose busiest band keeps its agents less busy than
# this is not short of agents (the time goes elsewhere: the customer, transfers): no more are
# added there.
IDLE = 0.5
# The pilot run's agents per department: enough that nobody waits.
AMPLE = 1000


@dataclass
class StaffingPlan:
    """The search's answer: agents per department and hour of the day, as-is and optimised,
    with their agent hours over the simulated days and their SLA shares; the moves suggested
    and the check of the as-is staffing with those moves made."""

    target_share: float
    band_hours: int
    as_is: Judged
    optimised: Judged
    agent_hours: tuple[float, float]
    moves: list[Move] = field(default_factory=list)
    moved: Judged | None = None
    # Departments whose target no staffing met (their agents idle, the time spent elsewhere).
    unreachable: list[str] = field(default_factory=list)
    runs: int = 0
    budget: int = 0
    # The budget ran out before the search ended: fewer agents might still do.
    exhausted: bool = False


class _Budget(Exception):
    """No simulation runs left for another judgement."""


@dataclass
class _Search:
    model: ProcessModel
    target_share: float
    days: float
    replications: int
    seed: int
    warmup_days: float
    band_hours: int
    budget: int
    runs: int = 0

    @property
    def bands(self) -> int:
        return HOURS_PER_DAY // self.band_hours

    def hourly(self, bands: list[int]) -> list[int]:
        return [bands[hour // self.band_hours] for hour in range(HOURS_PER_DAY)]

    def staffed(self, staffing: dict[str, list[int]]) -> ProcessModel:
        model = ProcessModel.from_dict(self.model.to_dict())
        for department, bands in staffing.items():
            model.staffing[department] = self.hourly(bands)
            model.capacity[department] = max(bands)
        return model

    def judge(self, staffing: dict[str, list[int]], *, spare: int = 0) -> Judged:
        """Simulate `staffing` (bands per department) over the replications; `spare` runs are
        kept back for a later judgement."""
        if self.runs + self.replications + spare > self.budget:
            raise _Budget
        model = self.staffed(staffing)
        hours = (self.days + self.warmup_days) * HOURS_PER_DAY
        shares: dict[str, list[float]] = {d: [] for d in staffing}
        busy: dict[str, list[float]] = {d: [0.0] * self.bands for d in staffing}
        for seed in range(self.seed, self.seed + self.replications):
            run = simulate(model, hours=hours, seed=seed, drain_hours=hours)
            self.runs += 1
            for department, share in _department_shares(run, model, self.warmup_days).items():
                shares.setdefault(department, []).append(share)
            for department in staffing:
                for band, seconds in enumerate(self._by_band(run, department)):
                    busy[department][band] += seconds
        sla = {d: interval(values) for d, values in shares.items() if values}
        utilisation = {d: self._utilisation(model, d, busy[d]) for d in staffing}
        met = {d: sla[d].low >= self.target_share if d in sla else True for d in staffing}
        return Judged(staffing={d: list(b) for d, b in staffing.items()}, sla=sla,
                      utilisation=utilisation, met=met)  # fmt: skip

    def _by_band(self, run: Run, department: str) -> list[float]:
        """Busy agent seconds per band of the day after the warm-up, up to the end of
        arrivals."""
        first = int(self.warmup_days * HOURS_PER_DAY)
        last = int((self.days + self.warmup_days) * HOURS_PER_DAY)
        seconds = [0.0] * self.bands
        for hour, busy in enumerate(run.busy.get(department, [])[first:last], start=first):
            seconds[(hour % HOURS_PER_DAY) // self.band_hours] += busy
        return seconds

    def _utilisation(self, model: ProcessModel, department: str, busy: list[float]) -> list[float]:
        on_duty = self._band_seconds(lambda s, e: agent_seconds(model, department, s, e))
        return [
            b / (self.replications * duty) if duty else 0.0
            for b, duty in zip(busy, on_duty, strict=True)
        ]

    def _band_seconds(self, seconds_in) -> list[float]:
        """`seconds_in(start, end)` summed per band of the day over the measured hours."""
        first = int(self.warmup_days * HOURS_PER_DAY)
        last = int((self.days + self.warmup_days) * HOURS_PER_DAY)
        totals = [0.0] * self.bands
        for hour in range(first, last):
            totals[(hour % HOURS_PER_DAY) // self.band_hours] += seconds_in(
                hour * HOUR, (hour + 1) * HOUR
            )
        return totals

    def pilot(self) -> tuple[dict[str, list[float]], dict[str, float]]:
        """One run with ample agents: per department the offered load (agents kept busy) per
        band, and the mean time an agent is held per claim."""
        if self.runs + 1 > self.budget:
            raise _Budget
        model = ProcessModel.from_dict(self.model.to_dict())
        model.staffing = {}
        model.capacity = dict.fromkeys(model.capacity, AMPLE)
        hours = (self.days + self.warmup_days) * HOURS_PER_DAY
        run = simulate(model, hours=hours, seed=self.seed, drain_hours=hours)
        self.runs += 1
        load, handling = {}, {}
        for department in model.capacity:
            shares = model.hours_of(department)
            open_time = self._band_seconds(lambda s, e, h=shares: open_seconds(h, s, e))
            busy = self._by_band(run, department)
            load[department] = [b / t if t else 0.0 for b, t in zip(busy, open_time, strict=True)]
            claims = run.claims.get(department, 0)
            handling[department] = sum(run.busy.get(department, [])) / claims if claims else 0.0
        return load, handling


def optimise_staffing(  # noqa: PLR0913  keyword-only: the target, then how to simulate
    model: ProcessModel,
    *,
    target_share: float = 0.9,
    days: float = 14,
    replications: int = 5,
    seed: int = 1,
    warmup_days: float = 2,
    band_hours: int = 1,
    budget: int = 300,
) -> StaffingPlan:
    """The fewest agents per department and band of `band_hours` hours of the day whose
    simulated resolution-SLA share (lower bound of its 95 % interval, per department) reaches
    `target_share`, within `budget` simulation runs; then moves between departments.
    InvalidChange when the bands do not divide the day or the budget is too small."""
    _check_options(band_hours, budget, replications)
    search = _Search(model, target_share, days, replications, seed, warmup_days, band_hours,
                     budget)  # fmt: skip
    as_is_bands = {d: _as_is_bands(model, d, search) for d in sorted(model.capacity)}
    # Runs kept back: the as-is judgement, the start's, and the check of the moves.
    load, handling = search.pilot()
    as_is = search.judge(as_is_bands, spare=2 * replications)
    floors = {d: [math.floor(a) + 1 if a > 0 else 0 for a in load[d]] for d in as_is_bands}
    start = {
        d: [_erlang_agents(a, handling[d], _target_seconds(model), target_share) for a in load[d]]
        for d in as_is_bands
    }
    best, exhausted = search.judge(start, spare=replications), False
    unreachable: list[str] = []
    try:
        best, unreachable = _add_until_met(search, best)
        best = _remove_while_met(search, best, floors, set(unreachable))
    except _Budget:
        exhausted = True
    plan = StaffingPlan(
        target_share=target_share,
        band_hours=band_hours,
        as_is=as_is,
        optimised=best,
        agent_hours=(
            agent_hours(search.staffed(as_is_bands), days),
            agent_hours(search.staffed(best.staffing), days),
        ),
        unreachable=unreachable,
        exhausted=exhausted,
        budget=budget,
    )
    plan.moves = suggest_moves(as_is, best, band_hours, lender(model))
    if any(not move.missing for move in plan.moves):
        plan.moved = search.judge(moved_staffing(as_is_bands, plan.moves, band_hours))
    plan.runs = search.runs
    return plan


def _check_options(band_hours: int, budget: int, replications: int) -> None:
    if band_hours not in BAND_HOURS:
        raise InvalidChange(
            _("Band hours must divide the day: one of %(choices)s.")
            % {"choices": ", ".join(map(str, BAND_HOURS))},
            field="optimise_staffing",
        )
    if budget < 1 + 3 * replications:
        # The pilot, the as-is staffing, the start and the check of the moves.
        raise InvalidChange(
            _("A budget of %(budget)d runs is too small: %(needed)d at least with %(n)d "
              "replications.")
            % {"budget": budget, "needed": 1 + 3 * replications, "n": replications},
            field="optimise_staffing",
        )  # fmt: skip


def _add_until_met(search: _Search, judged: Judged) -> tuple[Judged, list[str]]:
    """An agent more, in its busiest band, for every department that misses the target and
    keeps its agents busy; until all meet it (or only idle ones miss)."""
    unreachable: list[str] = []
    while True:
        short = [d for d, met in judged.met.items() if not met and d not in unreachable]
        for department in list(short):
            if max(judged.utilisation[department], default=0.0) < IDLE:
                unreachable.append(department)
                short.remove(department)
        if not short:
            return judged, unreachable
        staffing = {d: list(b) for d, b in judged.staffing.items()}
        for department in short:
            busiest = max(range(search.bands), key=lambda b: judged.utilisation[department][b])
            staffing[department][busiest] += 1
        judged = search.judge(staffing, spare=search.replications)


def _remove_while_met(
    search: _Search, best: Judged, floors: dict[str, list[int]], skip: set[str]
) -> Judged:
    """An agent fewer, one band per department at a time (the quietest first), kept where
    the department still meets the target and every other department too; a band whose
    removal misses is not tried again. Stops when no band is left to try."""
    tried: dict[str, set[int]] = {d: set() for d in best.staffing}
    while True:
        trial = {d: list(b) for d, b in best.staffing.items()}
        changed: dict[str, int] = {}
        for department, bands in trial.items():
            if department in skip:
                continue
            band = _quietest(best, department, floors[department], tried[department])
            if band is not None:
                bands[band] -= 1
                changed[department] = band
        if not changed:
            return best
        judged = search.judge(trial, spare=search.replications)
        if all(judged.met[d] for d in trial if d not in skip):
            best = judged
            continue
        others_missed = any(not judged.met[d] for d in trial if d not in changed and d not in skip)
        for department, band in changed.items():
            if others_missed or not judged.met[department]:
                tried[department].add(band)


def _quietest(judged: Judged, department: str, floor: list[int], tried: set[int]) -> int | None:
    bands = [
        b
        for b, agents in enumerate(judged.staffing[department])
        if agents > floor[b] and b not in tried
    ]
    return min(bands, key=lambda b: judged.utilisation[department][b], default=None)


def _as_is_bands(model: ProcessModel, department: str, search: _Search) -> list[int]:
    """The model's agents per band: the most on duty in the band's hours."""
    return [
        max(
            model.agents_at(department, hour)
            for hour in range(band * search.band_hours, (band + 1) * search.band_hours)
        )
        for band in range(search.bands)
    ]


def _department_shares(run: Run, model: ProcessModel, warmup_days: float) -> dict[str, float]:
    """Per department (the last one a request was queued for), the resolution-SLA share of the
    requests arrived after the warm-up, as kpis.measure counts it."""
    warmup = warmup_days * HOURS_PER_DAY * HOUR
    targets = model.resolution_targets
    met: dict[str, list[bool]] = {}
    for outcome in run.outcomes:
        if outcome.arrived < warmup or outcome.dropped or outcome.priority not in targets:
            continue
        if not outcome.department:
            continue
        ok = met_target(outcome, model)
        met.setdefault(outcome.department, []).append(ok)
    return {d: sum(flags) / len(flags) for d, flags in met.items()}


def _target_seconds(model: ProcessModel) -> float:
    """The resolution target of the model's most common priority (Erlang C's start takes one)."""
    weights: dict[str, float] = {}
    for category, shares in model.priorities.items():
        volume = sum(model.arrivals.get(category, []))
        for priority, share in shares.items():
            weights[priority] = weights.get(priority, 0.0) + volume * share
    targeted = [p for p in weights if p in model.resolution_targets]
    if not targeted:
        return min(model.resolution_targets.values(), default=8 * HOUR)
    return model.resolution_targets[max(targeted, key=lambda p: weights[p])]


def resolved_within(agents: int, load: float, handling: float, target: float) -> float:
    """M/M/c: the share of requests whose wait plus service is within `target` seconds, with
    `load` Erlangs offered and a mean service of `handling` seconds."""
    if agents <= load or handling <= 0:
        return 0.0 if handling > 0 else 1.0
    mu = 1 / handling
    waits = erlang_c(agents, load)
    theta = (agents - load) * mu
    served_late = math.exp(-mu * target)
    if math.isclose(theta, mu):
        waited_late = math.exp(-mu * target) * (1 + mu * target)
    else:
        waited_late = (theta * math.exp(-mu * target) - mu * math.exp(-theta * target)) / (
            theta - mu
        )
    return 1 - (1 - waits) * served_late - waits * waited_late


def _erlang_agents(load: float, handling: float, target: float, share: float) -> int:
    """Erlang C's fewest agents for the share, or where more agents stop helping (the
    service alone takes too long for the target)."""
    if load <= 0:
        return 0
    agents = math.floor(load) + 1
    level = resolved_within(agents, load, handling, target)
    while level < share:
        better = resolved_within(agents + 1, load, handling, target)
        if better - level < 1e-3:
            break
        agents, level = agents + 1, better
    return agents
