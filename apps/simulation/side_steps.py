"""Steps on the side of the path: a share of the requests leaving a state wait in a step of
their own (an approval, a consult, a handoff to another department) before they go where they
were going. Added by a scenario (`add_step`, apps/simulation/added_steps.py) or discovered from
the log's handoffs (apps/simulation/handoff_steps.py); `ProcessModel.side_steps` keeps them as
plain dicts, so the model goes through JSON unchanged, and the engine reads them here."""

import random
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from apps.simulation.calendar import after_open_seconds, open_seconds
from apps.simulation.model import PAUSING, StepDist

# Seconds of floating-point rounding in the run's clock, not counted against an OLA target.
ROUNDING = 1e-3
# The kind of a discovered transfer: the request goes on to the handoff's department.
TRANSFER = "transfer"


@dataclass
class SideStep:
    """One step on the side: entered by `share` of the requests leaving `after` (on the way to
    `onto`; "" any), of `categories` and `departments` (empty: any). The request waits `wait`
    (wall time, no agent), then an agent of `department` works `work` (office hours, the wait
    for a free agent included); or, in `refused_share` of the passes (a handoff declined or
    expired), waits `refused_wait` and goes on where it was. `targets`: OLA business seconds of
    the wait ("acceptance") and the work ("completion"), measured as KPIs under `key`."""

    key: str
    state: str
    after: str
    share: float
    categories: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    onto: str = ""
    wait: StepDist | None = None
    work: StepDist | None = None
    department: str = ""
    kind: str = ""
    targets: dict[str, float] = field(default_factory=dict)
    refused_share: float = 0.0
    refused_wait: StepDist | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SideStep":
        values = dict(data)
        for part in ("wait", "work", "refused_wait"):
            if values.get(part) is not None:
                values[part] = StepDist(**values[part])
        return cls(**values)

    def fits(self, state: str, following: str, category: str, department: str) -> bool:
        return (
            self.after == state
            and (not self.onto or self.onto == following)
            and (not self.categories or category in self.categories)
            and (not self.departments or department in self.departments)
        )


@dataclass
class Passage:
    """A simulated request's pass through a side step: when, and the business seconds of its
    wait and of its work (None: the step has none)."""

    key: str
    category: str
    arrived: float
    at: float
    waited: float | None = None
    worked: float | None = None
    refused: bool = False


def steps_of(model) -> list[SideStep]:
    return [SideStep.from_dict(step) for step in model.side_steps]


def choose(steps: list[SideStep], path, following: str, category: str, rng: random.Random):
    """The side step a request leaving `path.state` for `following` takes, or None. The dice
    are thrown only where a step could be taken, so a model without one runs as before."""
    candidates = [s for s in steps if s.fits(path.state, following, category, path.department)]
    if not candidates:
        return None
    u, total = rng.random(), 0.0
    for step in candidates:
        total += step.share
        if u < total:
            return step
    return None


def pass_through(sim, path, step: SideStep, outcome):
    """The request in `step` (a SimPy process body, run inside the engine's move): the wait,
    then the work holding an agent of the step's department; the resolution clock runs unless
    the step pauses it; a transfer goes on to the step's department. A refused one (declined
    or expired: `refused_share`, drawn only where the step has one) waits and stays where it
    was: no work, a transfer queued again in its own department."""
    env = sim.env
    began = env.now
    passage = Passage(step.key, outcome.category, outcome.arrived, began)
    passage.refused = step.refused_share > 0 and sim.rng.random() < step.refused_share
    if passage.refused:
        if step.refused_wait is not None:
            yield env.timeout(step.refused_wait.sample(sim.rng))
    else:
        yield from _accepted(sim, step, outcome, passage)
    if outcome.resolved is None and step.state not in PAUSING:
        outcome.clock += open_seconds(sim.model.clock_shares(outcome.priority), began, env.now)
    if step.kind == TRANSFER:
        path.route_to = path.department if passage.refused else step.department
    sim.run.passages.append(passage)


def _accepted(sim, step: SideStep, outcome, passage: Passage):
    """The wait for the acceptance, then the work of the step's department (its hours); both
    timed for the OLA in its calendar (around the clock without one, as the desk's)."""
    env, hours = sim.env, sim.model.hours_of(step.department)
    ola = sim.model.ola_hours(step.department)
    began = env.now
    if step.wait is not None:
        yield env.timeout(step.wait.sample(sim.rng))
        passage.waited = open_seconds(ola, began, env.now)
    if step.work is not None:
        accepted = env.now
        held = yield from sim._take_agent(step.department, outcome)
        seconds = step.work.sample(sim.rng)
        yield env.timeout(after_open_seconds(hours, env.now, seconds) - env.now)
        if held is not None:
            sim._release(held, step.department)
        passage.worked = open_seconds(ola, accepted, env.now)


def passage_kpis(run, model, warmup: float, arrivals: int) -> dict[str, float]:
    """Per side step (its key) of the requests arrived after `warmup`: `passes|key`, its passes
    per request; `ola_acceptance|key` and `ola_completion|key`, the share of its waits and of
    its works within their OLA targets (business seconds in the target department's calendar;
    accepted handoffs only); `refused|key`, the share of its passes declined or expired, where
    the step has any."""
    row: dict[str, float] = {}
    counted = [p for p in run.passages if p.arrived >= warmup]
    if not arrivals:
        return row
    targets = {step["key"]: step["targets"] for step in model.side_steps}
    refusing = {step["key"] for step in model.side_steps if step.get("refused_share")}
    keys = sorted({p.key for p in counted} | set(targets))
    for key in keys:
        passages = [p for p in counted if p.key == key]
        row[f"passes|{key}"] = len(passages) / arrivals
        if key in refusing and passages:
            row[f"refused|{key}"] = sum(1 for p in passages if p.refused) / len(passages)
        for target, part in (("acceptance", "waited"), ("completion", "worked")):
            seconds = targets.get(key, {}).get(target)
            timed = [getattr(p, part) for p in passages if getattr(p, part) is not None]
            if seconds is not None and timed:
                met = sum(1 for value in timed if value <= seconds + ROUNDING)
                row[f"ola_{target}|{key}"] = met / len(timed)
    return row


def kpi_label(name: str, department_name) -> str | None:
    """The label of a side step's KPI (`passes|`, `ola_acceptance|`, `ola_completion|`,
    `refused|`), the departments named by `department_name(id)`; None for another KPI."""
    kpi, _bar, key = name.partition("|")
    templates = {
        "passes": _("%(step)s, passes per request"),
        "ola_acceptance": _("%(step)s, OLA acceptance met (share)"),
        "ola_completion": _("%(step)s, OLA completion met (share)"),
        "refused": _("%(step)s, declined or expired (share)"),
    }
    if kpi not in templates or not key:
        return None
    return templates[kpi] % {"step": _step_name(key, department_name)}


def _step_name(key: str, department_name) -> str:
    kind, _bar, pair = key.partition("|")
    if pair:
        source, _arrow, target = pair.partition(">")
        names = {"source": department_name(source), "target": department_name(target)}
        if kind == TRANSFER:
            return _("transfers from %(source)s to %(target)s") % names
        return _("consults from %(source)s to %(target)s") % names
    if key.startswith("consult>"):
        return _("added consult with %(department)s") % {
            "department": department_name(key.partition(">")[2])
        }
    return _("added approval")
