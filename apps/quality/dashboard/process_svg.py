"""The process map as an SVG arc diagram: states left to right in lifecycle order, each
directly-follows edge an arc (forward above, backward below) as thick as it is frequent."""

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from apps.lifecycle.states import State
from apps.lifecycle.states import state_label as lifecycle_state_label
from apps.quality.dashboard.svg import PALETTE, SIGNAL_COLOUR, _svg, empty

ORDER = ["start", *State.values]
WIDTH, HEIGHT, MID = 720, 340, 170
NODE_W, NODE_H = 62, 34


def _hours(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds / 3600:.1f} h" if seconds >= 360 else f"{seconds / 60:.0f} min"


def state_label(code: str) -> str:
    """A state's name in the reader's language (the map's start and end nodes too)."""
    special = {"start": _("start"), "end": _("end")}
    return special[code] if code in special else lifecycle_state_label(code)


def process_map_svg(graph: dict, *, bottleneck: str | None = None, label: str = "") -> SafeString:
    """Draw `graph` (nodes and edges of `process_map(view="states")`); the bottleneck state
    is outlined in red. Node text: the state, how often it was entered, its median wait."""
    nodes = graph.get("nodes") or []
    if not nodes:
        return empty(label)
    ids = sorted((n["id"] for n in nodes), key=lambda s: (ORDER.index(s) if s in ORDER else 99, s))
    step = (WIDTH - NODE_W - 8) / max(len(ids) - 1, 1)
    x_of = {state: 4 + NODE_W / 2 + i * step for i, state in enumerate(ids)}
    top = max((e["frequency"] for e in graph["edges"]), default=1)
    body = []
    for edge in sorted(graph["edges"], key=lambda e: e["frequency"]):
        if edge["source"] not in x_of or edge["target"] not in x_of:
            continue
        x1, x2 = x_of[edge["source"]], x_of[edge["target"]]
        forward = x2 > x1
        rise = min(MID - NODE_H / 2 - 14, 18 + abs(x2 - x1) * 0.35)
        y0 = MID - NODE_H / 2 if forward else MID + NODE_H / 2
        peak = y0 - rise if forward else y0 + rise
        width = 1 + 7 * edge["frequency"] / top
        colour = PALETTE[0] if forward else PALETTE[1]
        wait = _hours(edge.get("wait", {}).get("median"))
        tip = f"{state_label(edge['source'])} → {state_label(edge['target'])}: {edge['frequency']}"
        tip += _(", median wait %(wait)s") % {"wait": wait} if wait else ""
        body.append(
            f'<path d="M{x1:.1f},{y0:.1f} Q{(x1 + x2) / 2:.1f},{2 * peak - y0:.1f} '
            f'{x2:.1f},{y0:.1f}" fill="none" stroke="{colour}" stroke-opacity="0.55" '
            f'stroke-width="{width:.1f}"><title>{escape(tip)}</title></path>'
            f'<text x="{(x1 + x2) / 2:.1f}" y="{peak + (-3 if forward else 11):.1f}" '
            f'text-anchor="middle" fill="#333">{edge["frequency"]}</text>'
        )
    by_id = {n["id"]: n for n in nodes}
    for state in ids:
        node, x = by_id[state], x_of[state]
        stroke = SIGNAL_COLOUR if state == bottleneck else "#555"
        wait = _hours((node.get("wait") or {}).get("median"))
        body.append(
            f'<g class="node"><rect x="{x - NODE_W / 2:.1f}" y="{MID - NODE_H / 2}" '
            f'width="{NODE_W}" height="{NODE_H}" rx="5" fill="#fff" stroke="{stroke}" '
            f'stroke-width="{2.5 if state == bottleneck else 1}"/>'
            f'<text x="{x:.1f}" y="{MID - 3}" text-anchor="middle" font-size="9">'
            f"<title>{escape(state_label(state))}</title>{escape(state_label(state)[:14])}</text>"
            f'<text x="{x:.1f}" y="{MID + 10}" text-anchor="middle" font-size="9" fill="#555">'
            f"{node['frequency']} {escape(wait)}</text></g>"
        )
    backward = any(x_of.get(e["target"], 0) < x_of.get(e["source"], 0) for e in graph["edges"])
    # Only forward edges: the lower half (where backward arcs go) is left out.
    height = HEIGHT if backward else int(MID + NODE_H / 2 + 8)
    return _svg(body, width=WIDTH, height=height, label=label)
