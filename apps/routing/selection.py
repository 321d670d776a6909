"""Loading what routing decides on: the rules, a request's facts, a department's candidates."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import Count

from apps.accounts.models import Agent, AgentSkill, Availability, Department, Skill
from apps.core.config_cache import ConfigCache
from apps.lifecycle.priority import raised
from apps.lifecycle.states import WORKING
from apps.routing.decisions import Candidate, RequestFacts, Rule, first_match
from apps.routing.models import RoutingRule
from apps.sla.business_time import is_open
from apps.sla.models import BusinessCalendar, Holiday, WorkingHours
from apps.tickets.models import ServiceRequest

# An assigned request counts against its assignee's capacity until it is resolved.


@dataclass(frozen=True)
class Approval:
    """Who must approve a request before it is routed, and which setting asks for it."""

    by: str  # "rule" or "category"
    name: str  # the rule's or the category's name
    department: Department | None  # whose leads approve when no group is named
    group_id: int | None

    @property
    def reason(self) -> str:
        # The log's words, like routing's reasons; the page says them in the reader's language.
        return f"approval required by {self.by} '{self.name}'"

    @property
    def explain(self) -> dict:
        return {
            "approval_by": self.by,
            "name": self.name,
            "department": self.department.pk if self.department else None,
            "group": self.group_id,
        }


@dataclass(frozen=True)
class RouteDecision:
    department: Department | None
    data: dict
    explain: dict
    approval: Approval | None = None


def load_rules() -> list[Rule]:
    return _RULES.get()


def _read_rules() -> list[Rule]:
    rows = (
        RoutingRule.objects.filter(active=True)
        .order_by("order", "pk")
        .prefetch_related("categories")
    )
    return [
        Rule(
            id=r.pk,
            name=r.name,
            category_ids=frozenset(c.pk for c in r.categories.all()),
            keywords=tuple(r.keywords),
            pattern=r.pattern,
            channels=frozenset(r.channels),
            tiers=frozenset(r.customer_tiers),
            languages=frozenset(r.languages),
            active_from=r.active_from,
            active_until=r.active_until,
            time_zone=r.time_zone,
            department_id=r.department_id,
            priority=r.priority,
            raise_priority=r.raise_priority,
            tags=tuple(r.tags),
            required_skills=dict(r.required_skills),
            requires_approval=r.requires_approval,
            approver_group_id=r.approver_group_id,
        )
        for r in rows
    ]


_RULES = ConfigCache(_read_rules, [RoutingRule])


def _read_departments() -> dict[int, Department]:
    rows = Department.objects.select_related("calendar").prefetch_related(
        "calendar__hours", "calendar__holidays"
    )
    return {department.pk: department for department in rows}


# Departments with their calendars: what routing and assignment decide by.
_DEPARTMENTS = ConfigCache(_read_departments, [Department, BusinessCalendar, WorkingHours, Holiday])


def get_department(pk: int | None) -> Department | None:
    """The department with its calendar, from the cache (the database for one not in it yet)."""
    if not pk:
        return None
    cached = _DEPARTMENTS.get().get(pk)
    return cached or Department.objects.select_related("calendar").filter(pk=pk).first()


def _triage_department() -> Department | None:
    return next((d for d in _DEPARTMENTS.get().values() if d.is_triage), None)


def _read_skills() -> dict[int, dict[str, int]]:
    skills: dict[int, dict[str, int]] = {}
    for agent_id, name, level in AgentSkill.objects.values_list("agent_id", "skill__name", "level"):
        skills.setdefault(agent_id, {})[name] = level
    return skills


# Agents' skills change when a lead edits them, not per request.
_SKILLS = ConfigCache(_read_skills, [AgentSkill, Skill])


def facts_of(request, at: datetime) -> RequestFacts:
    return RequestFacts(
        subject=request.subject,
        description=request.description,
        category_id=request.category_id,
        channel=request.channel,
        tier=request.customer.tier,
        language=request.customer.language,
        at=at,
    )


def decide_route(request, at: datetime) -> RouteDecision:
    """Where a new request goes and what the matching rule adds; explained."""
    rule = first_match(load_rules(), facts_of(request, at))
    department, source = None, ""
    if rule and rule.department_id:
        department, source = get_department(rule.department_id), "rule"
    elif request.category_id and request.category.default_department_id:
        department, source = get_department(request.category.default_department_id), "category"
    else:
        department, source = _triage_department(), "triage"
    data = {}
    if rule and rule.priority:
        data["priority"] = rule.priority
    elif rule and rule.raise_priority:
        data["priority"] = raised(request.priority)
    if rule and rule.tags:
        data["tags"] = list(rule.tags)
    if rule and rule.required_skills:
        data["required_skills"] = rule.required_skills
    explain = {
        "rule": rule.name if rule else None,
        "rule_id": rule.id if rule else None,
        "department_from": source,
    }
    return RouteDecision(department, data, explain, _approval(request, rule, department))


def _approval(request, rule: Rule | None, department: Department | None) -> Approval | None:
    """The approval the matching rule asks for, else the request's category; None once the
    request is approved (it is routed as any new request then)."""
    if request.approved_at is not None:
        return None
    if rule and rule.requires_approval:
        return Approval("rule", rule.name, department, rule.approver_group_id)
    category = request.category if request.category_id else None
    if category is not None and category.requires_approval:
        return Approval("category", category.name, department, category.approver_group_id)
    return None


class AgentPool:
    """The online agents of some departments, locked for the caller's transaction, with their
    open load and skills; it keeps count of what the transaction gives them."""

    def __init__(self, candidates: dict[int, Candidate], members: dict[int, list[int]]) -> None:
        self._by_agent = candidates
        self._members = members  # department id -> agent ids; closed departments are absent
        self._taken: dict[int, datetime] = {}

    def is_open(self, department_id: int) -> bool:
        return department_id in self._members

    def candidates(self, department_id: int) -> list[Candidate]:
        return [self._by_agent[pk] for pk in self._members.get(department_id, [])]

    def agent(self, agent_id: int, department_id: int) -> Agent:
        """The agent to pass to the door's `assign`: checked here, under the agents' lock, as an
        active online agent of the department, so the door need not read them again."""
        if agent_id not in self._members.get(department_id, []):
            raise ValueError(f"agent {agent_id} is not in the pool of department {department_id}")
        agent = Agent(pk=agent_id)
        agent._state.adding = False  # the row exists: it is locked
        agent.vouched_for = department_id
        return agent

    def took(self, agent_id: int, at: datetime) -> None:
        """The agent was given one more request at `at` (strictly after the last one given in
        this transaction, so round robin keeps turning within a batch)."""
        last = max(self._taken.values(), default=None)
        at = max(at, last + timedelta(microseconds=1)) if last else at
        agent = self._by_agent[agent_id]
        self._by_agent[agent_id] = replace(agent, load=agent.load + 1, last_assigned_at=at)
        self._taken[agent_id] = at

    def save_last_assigned(self) -> None:
        if self._taken:
            Agent.objects.bulk_update(
                [Agent(pk=pk, last_assigned_at=at) for pk, at in self._taken.items()],
                ["last_assigned_at"],
            )


def lock_pool(departments: list[Department], at: datetime) -> AgentPool:
    """The online agents of the departments open at `at`, row-locked in id order so that
    concurrent assignments count each other's work, with their open load and skills; an agent
    of several departments is one candidate in each.

    FOR NO KEY UPDATE, not FOR UPDATE: rows referencing the agent (a request given to them, an
    event naming them) take FOR KEY SHARE on it, which FOR UPDATE would block; a lead assigning
    a request by hand while a worker assigns the same one would deadlock.
    """
    open_ids = [
        d.pk for d in departments if not d.calendar_id or is_open(d.calendar.schedule(), at)
    ]
    rows = list(
        Agent.objects.select_for_update(of=("self",), no_key=True)
        .filter(departments__in=open_ids, availability=Availability.ONLINE, user__is_active=True)
        .order_by("pk")
        .values_list("pk", "departments", "user__username", "capacity", "last_assigned_at")
    )
    ids = sorted({row[0] for row in rows})
    loads = dict(
        ServiceRequest.objects.filter(assignee__in=ids, state__in=WORKING)
        .values_list("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
    skills = _SKILLS.get()
    candidates: dict[int, Candidate] = {}
    members: dict[int, list[int]] = {pk: [] for pk in open_ids}
    for pk, department_id, username, capacity, last_assigned_at in rows:
        if pk not in candidates:
            candidates[pk] = Candidate(
                agent_id=pk,
                name=username,
                load=loads.get(pk, 0),
                capacity=capacity,
                skills=skills.get(pk, {}),
                last_assigned_at=last_assigned_at,
            )
        members[department_id].append(pk)
    return AgentPool(candidates, members)
