"""Loading what routing decides on: the rules, a request's facts, a department's candidates."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from apps.accounts.models import Agent, AgentSkill, Availability, Department
from apps.core.config_cache import ConfigCache
from apps.routing.decisions import Candidate, RequestFacts, Rule, first_match
from apps.routing.models import RoutingRule
from apps.sla.business_time import is_open
from apps.tickets.models import ServiceRequest
from apps.tickets.priority import raised
from apps.tickets.states import State

# An assigned request counts against its assignee's capacity until it is resolved.
WORKING = (State.ASSIGNED, State.IN_PROGRESS, State.PENDING_CUSTOMER)


@dataclass(frozen=True)
class RouteDecision:
    department: Department | None
    data: dict
    explain: dict


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
        )
        for r in rows
    ]


_RULES = ConfigCache(_read_rules, [RoutingRule])


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
        department, source = Department.objects.get(pk=rule.department_id), "rule"
    elif request.category_id and request.category.default_department_id:
        department, source = request.category.default_department, "category"
    else:
        department, source = Department.objects.filter(is_triage=True).first(), "triage"
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
    return RouteDecision(department, data, explain)


def lock_candidates(department: Department, at: datetime) -> tuple[list[Candidate], str]:
    """The department's online agents, row-locked in id order so that concurrent assignments
    count each other's work, with their open load and skills; empty outside working hours.

    FOR NO KEY UPDATE, not FOR UPDATE: rows referencing the agent (a request given to them, an
    event naming them) take FOR KEY SHARE on it, which FOR UPDATE would block; a lead assigning
    a request by hand while a worker assigns the same one would deadlock.
    """
    if department.calendar_id and not is_open(department.calendar.schedule(), at):
        return [], "outside the department's working hours"
    agents = list(
        Agent.objects.select_for_update(of=("self",), no_key=True)
        .filter(departments=department, availability=Availability.ONLINE, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    ids = [a.pk for a in agents]
    loads = dict(
        ServiceRequest.objects.filter(assignee__in=ids, state__in=WORKING)
        .values_list("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
    skills: dict[int, dict] = {pk: {} for pk in ids}
    for agent_id, name, level in AgentSkill.objects.filter(agent__in=ids).values_list(
        "agent_id", "skill__name", "level"
    ):
        skills[agent_id][name] = level
    candidates = [
        Candidate(
            agent_id=a.pk,
            name=a.user.get_username(),
            load=loads.get(a.pk, 0),
            capacity=a.capacity,
            skills=skills[a.pk],
            last_assigned_at=a.last_assigned_at,
        )
        for a in agents
    ]
    return candidates, ""
