"""Agents' skills in the simulation: which categories each department's agents can work, read
from the log; the engine's pool of such agents; the scenario change that adds skilled agents;
which agents a department can lend to another.

A skill here is a category an agent can work. The desk's named skills (`AgentSkill`) are asked
for by routing rules on keywords and languages, not by category, so they do not say who can
work a category; the log does: an agent who, over the period, worked many of a department's
requests but none of a category that is a regular part of them (at least `MIN_SHARE` of the
department's requests, and at least `MIN_EXPECTED` expected for that agent if requests came to
agents whatever their category) cannot work it. Chance alone leaves an agent without any of
`MIN_EXPECTED` expected requests about once in 20,000 times (e^-10). The share keeps out the
few requests transferred in from another department now and then: who takes those depends on
who is free first when they come back (on the generated history, always the same agent), not
on a skill. A desk that assigns whatever the category gives a model without skills: the engine
then runs the department's agents as one pool, as before."""

from collections import Counter
from collections.abc import Callable, Iterable
from typing import cast

import simpy
from django.utils.translation import gettext as _

from apps.simulation.changes import mapping, unknown
from apps.simulation.model import ProcessModel

# An agent lacks a category only when skill-blind assignment would have given them this many.
MIN_EXPECTED = 10
# A category counts as the department's regular work from this share of its requests.
MIN_SHARE = 0.1
# Agents who can work any category.
ANY = "*"
SEPARATOR = ","
HOUR = 3600.0

Token = frozenset[str] | None


def skills_of(worked: dict, capacity: dict[str, int]) -> dict:
    """Department -> {categories, comma-separated: agents} for the agents who lack some of
    their department's categories, from `worked` (department -> agent -> requests worked per
    category); a department whose `capacity` exceeds its agents (they juggle requests) has
    each group scaled up."""
    skills = {}
    for department, agents in worked.items():
        groups = _restricted(agents)
        if groups:
            skills[department] = _scaled(groups, len(agents), capacity.get(department, 0))
    return skills


def _restricted(agents: dict[int, Counter]) -> Counter:
    """The skill sets (keys) of the agents who lack a category their department works."""
    per_category: Counter = Counter()
    for counts in agents.values():
        per_category.update(counts)
    total = sum(per_category.values())
    groups: Counter = Counter()
    for counts in agents.values():
        done = sum(counts.values())
        lacks = {
            category
            for category, n in per_category.items()
            if counts[category] == 0 and n / total >= MIN_SHARE and done * n / total >= MIN_EXPECTED
        }
        if lacks:
            groups[key_of(set(per_category) - lacks)] += 1
    return groups


def _scaled(groups: Counter, agents: int, capacity: int) -> dict[str, int]:
    if capacity <= agents:
        return dict(groups)
    return {key: round(n * capacity / agents) for key, n in groups.items()}


def key_of(categories: Iterable[str]) -> str:
    return SEPARATOR.join(sorted(categories))


def categories_of(key: str) -> frozenset[str]:
    return frozenset(key.split(SEPARATOR))


def tokens(model: ProcessModel, department: str, size: int) -> list[Token]:
    """The department's `size` agents: its skill groups (each cut in proportion when the
    groups hold more agents than `size`, largest remainders first), then agents of any
    category."""
    groups = model.skills.get(department, {})
    total = sum(groups.values())
    counts = dict(groups)
    if total > size:
        shares = {key: n * size / total for key, n in groups.items()}
        counts = {key: int(share) for key, share in shares.items()}
        left = size - sum(counts.values())
        for key in sorted(shares, key=lambda k: (counts[k] - shares[k], k))[:left]:
            counts[key] += 1
    restricted: list[Token] = [categories_of(k) for k in sorted(counts) for _ in range(counts[k])]
    return restricted + [None] * (size - len(restricted))


class Agent:
    """One agent in a pool, told apart from the others (a request back from the customer waits
    for the agent it had): the categories they can work (None: any)."""

    __slots__ = ("categories",)

    def __init__(self, categories: Token) -> None:
        self.categories = categories


class SkilledPool:
    """A department's agents as tokens in a SimPy FilterStore: a request takes the first free
    agent who can work its category (any agent when nobody in the department can: it is worked
    anyway, as a lead would assign it by hand), and a request waiting for a skilled agent does
    not hold back the others, as the desk's `assign_waiting` does; a request back to work
    waits for its own agent. With shifts, the agents off duty are taken out of the store; one
    who is busy goes off duty when they finish."""

    def __init__(self, env: simpy.Environment, agents: list[Token]) -> None:
        self.env = env
        self.capacity = len(agents)
        self.store = simpy.FilterStore(env, capacity=max(len(agents), 1))
        self.store.items.extend(Agent(categories) for categories in agents)
        self.members = frozenset(self.store.items)
        covered = [agent for agent in agents if agent is not None]
        self._anyone = len(covered) < len(agents)
        self._covered = frozenset().union(*covered) if covered else frozenset()
        self._off: list[Agent] = []
        self._owed = 0

    def request(self, category: str, agent: Agent | None = None) -> simpy.events.Event:
        """The first free agent who can work `category`; `agent` itself when it is one of the
        pool's. Waiting requests are served in the order they asked (first come, first served,
        as the desk's log shows: docs/simulation.md, session 16)."""
        if agent is not None and agent in self.members:
            return self.store.get(lambda free: free is agent)
        if self._anyone or category in self._covered:
            return self.store.get(
                lambda free: free.categories is None or category in free.categories
            )
        return self.store.get(lambda free: True)

    def release(self, claim: simpy.events.Event) -> None:
        if self._owed:
            self._owed -= 1
            self._off.append(cast(Agent, claim.value))
        else:
            self.store.put(claim.value)

    def follow_shifts(self, on_duty: Callable[[int], int]):
        """Each hour, as many agents off duty as the pool has above `on_duty(hour)`."""
        while True:
            hour = int(self.env.now // HOUR)
            off = self.capacity - on_duty(hour)
            while len(self._off) + self._owed < off:
                if self.store.items:
                    self._off.append(self.store.items.pop(0))
                else:
                    self._owed += 1
            while len(self._off) + self._owed > off:
                if self._owed:
                    self._owed -= 1
                else:
                    self.store.put(self._off.pop())
            yield self.env.timeout((hour + 1) * HOUR - self.env.now)


def skilled_pool(env: simpy.Environment, model: ProcessModel, department: str) -> SkilledPool:
    shifts = model.staffing.get(department)
    size = max(shifts) if shifts else model.capacity[department]
    return SkilledPool(env, tokens(model, department, max(size, 1)))


def work_of(model: ProcessModel, department: str) -> set[str]:
    """The categories whose requests the model first queues for `department` (not those
    transferred to it now and then: a category's stray transfers are not its work)."""
    return {
        key.split("|")[0]
        for key, shares in model.routes.items()
        if key.endswith("|") and shares.get(department, 0.0) > 0 and key != "|"
    }


def lender(model: ProcessModel) -> Callable[[str, str], tuple[int | None, list[str]]]:
    """For a move from `source` to `target`: how many of the source's agents can work every
    category the target works (None: all of them, the source has no restricted agent) and the
    categories the others lack."""

    def lendable(source: str, target: str) -> tuple[int | None, list[str]]:
        if not model.skills.get(source):
            return None, []
        work = work_of(model, target)
        agents = tokens(model, source, model.capacity.get(source, 0))
        able = [a for a in agents if a is None or work <= a]
        missing = set().union(*(work - a for a in agents if a is not None and not work <= a))
        return len(able), sorted(missing)

    return lendable


def add_skilled_agents(model: ProcessModel, change: dict) -> None:
    """The scenario change `skills`: {department: {categories or "*": agents}}, agents who can
    work those categories (comma-separated category ids; "*": any) added to the department."""
    for department, groups in mapping(change, "skills").items():
        if department not in model.capacity:
            raise unknown("skills", _("department"), department)
        for key, agents in mapping(groups, "skills").items():
            if key != ANY:
                for category in categories_of(key):
                    if category not in model.arrivals:
                        raise unknown("skills", _("category"), category)
                own = model.skills.setdefault(department, {})
                normal = key_of(categories_of(key))
                own[normal] = own.get(normal, 0) + agents
            model.capacity[department] += agents
            if department in model.staffing:
                model.staffing[department] = [n + agents for n in model.staffing[department]]
