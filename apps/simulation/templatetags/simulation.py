"""Template tags: the open PDCA cycles on the quality dashboard."""

from django import template

from apps.simulation.pdca.selectors import list_open_cycles

register = template.Library()
SHOWN = 10


@register.inclusion_tag("admin/simulation/open_cycles.html")
def open_cycles(department=None):
    cycles = list(list_open_cycles(department_id=getattr(department, "pk", None))[: SHOWN + 1])
    return {"cycles": cycles[:SHOWN], "more": len(cycles) > SHOWN}
