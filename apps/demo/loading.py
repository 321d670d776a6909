"""Demo data for `make run`: an organisation and requests in many states, built through the door."""

from django.db import transaction

from apps.accounts.models import Department
from apps.demo.handoffs import build_handoffs
from apps.demo.knowledge import load_demo_faq
from apps.demo.macros import build_macros
from apps.demo.organisation import build_organisation
from apps.demo.routing import build_routing
from apps.demo.sla import build_sla
from apps.demo.stories import play_stories

# The department whose presence means the demo data is already loaded.
SENTINEL_DEPARTMENT = "it"


def is_loaded() -> bool:
    return Department.objects.filter(code=SENTINEL_DEPARTMENT).exists()


def load() -> dict[str, int]:
    """Create the demo organisation and requests in one transaction; return counts by kind.

    All or nothing, so a failed load leaves no half organisation behind; the requests' routing
    tasks are sent when it commits and wait in the broker until a worker starts.
    """
    with transaction.atomic():
        sla = build_sla()
        org = build_organisation()
        routing = build_routing()
        requests = play_stories(org)
        handoffs = build_handoffs(org.departments, requests)
        macros = build_macros(org)
    faq = load_demo_faq()  # its own (durable) transaction, like `import_knowledge`
    return {
        "departments": len(org.departments),
        "agents": len(org.agents),
        "customers": len(org.customers),
        "categories": len(org.categories),
        "requests": len(requests),
        **sla,
        **routing,
        **faq,
        **handoffs,
        **macros,
    }
