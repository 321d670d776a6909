"""The demo's routing: an assignment strategy per department and a few routing rules."""

from apps.accounts.models import AssignmentStrategy, Department
from apps.routing.models import RoutingRule

STRATEGIES = {
    "it": AssignmentStrategy.SKILLS,
    "finance": AssignmentStrategy.ROUND_ROBIN,
    "facilities": AssignmentStrategy.LEAST_LOADED,
    "engineering": AssignmentStrategy.MANUAL,  # tier 2 pulls its work from the queue
}


def build_routing() -> dict[str, int]:
    """Set the demo departments' strategies and create the rules (after the organisation)."""
    departments = {d.code: d for d in Department.objects.filter(code__in=STRATEGIES)}
    for code, strategy in STRATEGIES.items():
        departments[code].assignment_strategy = strategy
        departments[code].save(update_fields=["assignment_strategy"])
    rules = [
        RoutingRule(
            name="Outages first",
            order=10,
            pattern=r"\b(down|outage)\b|宕机",
            raise_priority=True,
            tags=["outage"],
        ),
        RoutingRule(
            name="Network problems to IT",
            order=20,
            keywords=["vpn", "wifi", "network", "网络"],
            department=departments["it"],
            required_skills={"Networking": 3},
            tags=["network"],
        ),
        RoutingRule(
            name="Chinese-speaking customers",
            order=30,
            languages=["zh-hans"],
            department=departments["it"],
            required_skills={"Mandarin": 3},
        ),
    ]
    RoutingRule.objects.bulk_create(rules)
    return {"routing_rules": len(rules)}
