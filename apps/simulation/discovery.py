"""Discovery: the process model read from the event log (arrivals, path, step times, agents,
office hours, resolution targets)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils.translation import gettext as _

from apps.core.errors import InvalidData
from apps.lifecycle.priority import Priority
from apps.lifecycle.states import SUBMIT
from apps.simulation.agent_log import read_agents
from apps.simulation.arrival_priority import arrival_priorities
from apps.simulation.assignment_log import discover_assignment
from apps.simulation.calendar import department_hours, open_seconds_between, open_shares
from apps.simulation.capacity import agents_from_log
from apps.simulation.customer_hours import read_customer_hours
from apps.simulation.fitting import fit_left_censored
from apps.simulation.handoff_steps import discover_handoffs, less_waits
from apps.simulation.holds import AgentTime, read_holds
from apps.simulation.model import (
    HOURS_PER_WEEK,
    WAITING,
    WORKING,
    ProcessModel,
    StepDist,
    path_keys,
    step_keys,
)
from apps.simulation.period_log import STEP_FIELDS, period_transitions
from apps.sla.models import ClockKind, SLAClock, SLAPolicy
from apps.sla.timers import schedule_of

# Below this many requests submitted in the period, no model is offered.
MIN_REQUESTS = 200
# A category's own path (or route) is kept only with this many observed exits of the state.
MIN_PER_KEY = 30
MIN_ROUTES = 5


class InsufficientData(InvalidData):
    """The period holds too few requests to fit a model on."""


@dataclass
class _Tally:
    submits: Counter = field(default_factory=Counter)  # (category, hour of week)
    priorities: dict = field(default_factory=lambda: defaultdict(Counter))
    exits: dict = field(default_factory=lambda: defaultdict(Counter))
    routes: dict = field(default_factory=lambda: defaultdict(Counter))
    times: dict = field(default_factory=lambda: defaultdict(list))
    # The agent's hands-on part of the returns to work (apps/simulation/holds.py).
    holds: dict = field(default_factory=lambda: defaultdict(list))
    # The queue's pickup delay, where the agent who took the request was free (holds.py), and
    # its bounds where the agent freed as the request was taken.
    pickups: dict = field(default_factory=lambda: defaultdict(list))
    bounds: dict = field(default_factory=lambda: defaultdict(list))
    # Department -> the agents seen working its requests, and the (start, end) of each stretch
    # a request spent in a working state there.
    agents: dict = field(default_factory=lambda: defaultdict(set))
    working: dict = field(default_factory=lambda: defaultdict(list))
    first: datetime | None = None
    last: datetime | None = None


def discover(*, start: datetime, end: datetime, min_requests: int = MIN_REQUESTS) -> ProcessModel:
    """The model of the requests submitted in [start, end), from their transitions in the log.
    Raises InsufficientData below `min_requests` submitted requests."""
    schedule = desk_schedule(start, end)
    hours = open_shares(schedule, start, end)
    own = department_hours(start, end)
    customer = read_customer_hours(start, end, schedule.tz)
    handoffs = discover_handoffs(start, end, hours, own)
    # Everything is keyed by the priority each request arrived with (arrival_priority.py).
    arrived = arrival_priorities(start, end)
    tally = _read_log(
        (start, end, arrived),
        (hours, own, customer),
        handoffs.waits,
        read_holds(start, end, hours),
    )
    requests = sum(tally.submits.values())
    if requests < min_requests:
        raise InsufficientData(
            _("Too little data to fit a model: %(found)d requests, %(needed)d needed.")
            % {"found": requests, "needed": min_requests},
            found=requests,
            needed=min_requests,
        )
    capacity = agents_from_log(tally.agents, tally.working, hours)
    skills, first_response, next_response = read_agents(start, end, hours, capacity)
    return ProcessModel(
        arrivals=_arrival_rates(tally.submits, start, end),
        priorities={c: _shares(counts) for c, counts in tally.priorities.items()},
        transitions=_keep(tally.exits, MIN_PER_KEY),
        routes=_keep(tally.routes, MIN_ROUTES),
        durations=_fit_all(tally.times),
        capacity=capacity,
        resolution_targets=resolution_targets(start, end, arrived=arrived),
        resolution_mix=target_mix(start, end, ClockKind.RESOLUTION, arrived),
        observed={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "requests": requests,
        },
        open_hours=hours,
        clock_hours=clock_hours(start, end, hours, arrived),
        side_steps=handoffs.steps,
        skills=skills,
        first_response=first_response,
        response_targets=resolution_targets(start, end, ClockKind.FIRST_RESPONSE, arrived),
        response_mix=target_mix(start, end, ClockKind.FIRST_RESPONSE, arrived),
        assignment=discover_assignment(start, end, (hours, own), capacity),
        department_hours=own,
        next_response=next_response,
        next_targets=resolution_targets(start, end, ClockKind.NEXT_RESPONSE, arrived),
        holds=_fit_all(tally.holds),
        pickups=_fit_all(tally.pickups, tally.bounds),
        customer_hours=customer,
    )


def _read_log(period: tuple, calendars: tuple, waits: dict, agent_time: AgentTime) -> _Tally:
    """One pass over the transitions of the requests submitted in the `period` (start, end and
    the priority each arrived with), in log order;
    the time in a working state is its hands-on time (`step_time`) in the hours its department
    works (`calendars`: the desk's office hours, department -> its own where it has one, and
    the customer's hours, which measure the wait for the customer),
    without the request's `waits` for other departments (handoffs, a step of their own); a
    return to work also counts the agent's hold (the hands-on part of it), a stay in the queue
    its pickup delay (`agent_time`)."""
    start, end, arrived = period
    rows = period_transitions(
        start,
        end,
        *STEP_FIELDS,
        "wall_seconds",
        "assignee_id",
        "request__category_id",
        "request__priority",
    )
    tally, current, before, since, came_from = _Tally(), None, "", None, ""
    for (
        request_id,
        name,
        from_state,
        to_state,
        department,
        at,
        wall,
        assignee,
        category,
        prio,
    ) in rows.iterator(chunk_size=5000):
        category_key = "" if category is None else str(category)
        prio = arrived.get(request_id, prio)
        if request_id != current:
            current, before, since, came_from = request_id, "", None, ""
        if to_state in WORKING and assignee is not None:
            tally.agents[_key(department)].add(assignee)
        if from_state in WORKING and since is not None and from_state != to_state:
            tally.working[before].append((since, at))
            since = None
        if to_state in WORKING and from_state not in WORKING:
            since = at
        if name == SUBMIT:
            how = at.weekday() * 24 + at.hour
            tally.submits[(category_key, how)] += 1
            tally.priorities[category_key][str(prio)] += 1
        elif from_state != to_state:
            step = (from_state, came_from, to_state, category_key, before, str(prio))
            wall = less_waits(wall, at, waits.get(request_id))
            _count_step(tally, step, step_time(calendars, (from_state, before), at, wall))
            _count_agent_time(tally, step, agent_time.at(request_id, at))
            if to_state == "queued":
                tally.routes[f"{category_key}|{before}"][_key(department)] += 1
                tally.routes[f"|{before}"][_key(department)] += 1
        if from_state != to_state:
            came_from = from_state
        before = _key(department)
    return tally


def step_time(calendars: tuple, where: tuple[str, str], left: datetime, wall: float | None):
    """The time of a step that left its state at `left` after `wall` seconds, `where` the
    state and its department: in a working state with office hours (the department's, else
    the desk's), the open time of those hours in it (the event's `business_seconds` are
    counted in the request's own SLA calendar, around the clock for a critical policy say,
    while the engine spreads the step over the desk's office hours); waiting for the customer,
    the customer's time in it (customer_hours.py); else `wall`."""
    hours, own, customer = calendars
    state, department = where
    shares = []
    if state == WAITING:
        shares = customer
    elif state in WORKING:
        shares = own.get(department, hours)
    if not shares or wall is None:
        return wall
    return open_seconds_between(shares, left - timedelta(seconds=wall), left)


def _count_step(tally: _Tally, step: tuple[str, ...], wall: float | None) -> None:
    from_state, came_from, to_state, category, department, priority = step
    for key in path_keys(from_state, category, department, priority):
        tally.exits[key][to_state] += 1
    if wall is not None:
        for key in step_keys(from_state, came_from, department, priority):
            tally.times[key].append(wall)


def _count_agent_time(tally: _Tally, step: tuple[str, ...], found: tuple) -> None:
    """A step's hold (a return to work) or pickup delay (the queue), where the log gives one."""
    hold, pickup, bound = found
    from_state, came_from, _to, _category, department, priority = step
    for seconds, times in ((hold, tally.holds), (pickup, tally.pickups), (bound, tally.bounds)):
        if seconds is not None:
            for key in step_keys(from_state, came_from, department, priority):
                times[key].append(seconds)


def _key(department: int | None) -> str:
    return "" if department is None else str(department)


def _arrival_rates(submits: Counter, start: datetime, end: datetime) -> dict[str, list[float]]:
    """Requests per hour for each hour of the week: count over the times that hour occurred."""
    occurrences = [0] * HOURS_PER_WEEK
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        occurrences[hour.weekday() * 24 + hour.hour] += 1
        hour += timedelta(hours=1)
    rates: dict[str, list[float]] = defaultdict(lambda: [0.0] * HOURS_PER_WEEK)
    for (category, how), count in submits.items():
        rates[category][how] = count / occurrences[how] if occurrences[how] else 0.0
    return dict(rates)


def _shares(counts: Counter) -> dict[str, float]:
    total = sum(counts.values())
    return {key: count / total for key, count in counts.items()}


def _keep(counted: dict, minimum: int) -> dict[str, dict[str, float]]:
    """Shares per key; a key with a `|` (a category's own) only with `minimum` observations."""
    return {
        key: _shares(counts)
        for key, counts in counted.items()
        if "|" not in key or key.startswith("|") or sum(counts.values()) >= minimum
    }


def _fit_all(times: dict[str, list[float]], bounds: dict | None = None) -> dict[str, StepDist]:
    """Each key's times fitted, with its left-censored observations (`bounds`: at most so
    long) beside them where there are some."""
    bounds = bounds or {}
    fitted = {key: fit_left_censored(values, bounds.get(key, [])) for key, values in times.items()}
    return {key: dist for key, dist in fitted.items() if dist is not None}


def target_mix(
    start: datetime, end: datetime, kind: str, arrived: dict | None = None
) -> dict[str, dict[str, float]]:
    """Per priority whose period's clocks of `kind` had more than one target (a policy by
    customer tier beside the priority's own), the share of each target, keyed by its seconds."""
    counted = _targets_counted(start, end, kind, arrived)
    return {p: _shares(counts) for p, counts in counted.items() if len(counts) > 1}


def _targets_counted(start: datetime, end: datetime, kind: str, arrived) -> dict[str, Counter]:
    """Per priority, the period's clocks of `kind` counted by target (seconds, as a string)."""
    counted: dict[str, Counter] = defaultdict(Counter)
    for priority, seconds in _by_priority(start, end, kind, "target_seconds", arrived=arrived):
        if seconds:
            counted[priority][str(float(seconds))] += 1
    return counted


def _by_priority(start: datetime, end: datetime, kind: str, field: str, *, arrived):
    """(priority each request arrived with, `field`) of the period's clocks of `kind`
    (`arrived`: arrival_priorities, read here when None)."""
    if arrived is None:
        arrived = arrival_priorities(start, end)
    clocks = _resolution_clocks(start, end, kind)
    rows = clocks.values_list("request_id", "request__priority", field)
    for request_id, priority, value in rows.iterator(chunk_size=5000):
        yield arrived.get(request_id, str(priority)), value


def _resolution_clocks(start: datetime, end: datetime, kind: str = ClockKind.RESOLUTION):
    return SLAClock.objects.filter(
        kind=kind, request__created_at__gte=start, request__created_at__lt=end
    )


def desk_schedule(start: datetime, end: datetime):
    """The desk's office hours: the calendar of the policy that timed most of the period's
    resolution clocks (else of the first active policy, by order, that has one); always open
    without."""
    used = (
        _resolution_clocks(start, end)
        .values("policy_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "policy_id")
        .first()
    )
    policies = SLAPolicy.objects.select_related("calendar")
    policy = policies.filter(pk=used["policy_id"]).first() if used else None
    if policy is None:
        policy = (
            policies.filter(active=True, calendar__isnull=False).order_by("order", "pk").first()
        )
    return schedule_of(policy)


def clock_hours(
    start: datetime,
    end: datetime,
    hours: list[float],
    arrived: dict | None = None,
    over: tuple[datetime, datetime] | None = None,
) -> dict[str, list[float]]:
    """Per priority, the open shares of the calendar of the policy that timed most of the
    period's resolution clocks of that priority, where it is not the desk's `hours` (a critical
    policy around the clock, say: its clock runs at night while the agents do not work); the
    shares over `over` (default: the period itself)."""
    counted: dict[str, Counter] = defaultdict(Counter)
    for priority, policy in _by_priority(
        start, end, ClockKind.RESOLUTION, "policy_id", arrived=arrived
    ):
        counted[priority][policy] += 1
    policies = SLAPolicy.objects.select_related("calendar").in_bulk(
        {counts.most_common(1)[0][0] for counts in counted.values()}
    )
    shares = {}
    for priority, counts in counted.items():
        policy = policies.get(counts.most_common(1)[0][0])
        own = open_shares(schedule_of(policy), *(over or (start, end)))
        if own != hours:
            shares[priority] = own
    return shares


def resolution_targets(
    start: datetime, end: datetime, kind: str = ClockKind.RESOLUTION, arrived: dict | None = None
) -> dict[str, float]:
    """Per priority, the resolution target (or the target of the clocks of `kind`) most of the
    period's requests of that priority had (the policies' other conditions, tier or category,
    are in the data that way); a priority without clocks takes the first active policy that
    could apply to it."""
    counted = _targets_counted(start, end, kind, arrived)
    targets = {p: float(counts.most_common(1)[0][0]) for p, counts in counted.items()}
    policies = [p for p in SLAPolicy.objects.filter(active=True) if p.target_seconds(kind)]
    for priority in Priority.values:
        if str(priority) in targets:
            continue
        policy = next((p for p in policies if not p.priorities or priority in p.priorities), None)
        seconds = policy.target_seconds(kind) if policy else None
        if seconds is not None:
            targets[str(priority)] = float(seconds)
    return targets
