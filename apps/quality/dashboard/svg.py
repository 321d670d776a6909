"""Small SVG builders for the dashboard: drawn on the server, readable without JavaScript."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")
SIGNAL_COLOUR, LIMIT_COLOUR, CENTRE_COLOUR = "#d62728", "#d62728", "#2ca02c"

Fmt = Callable[[float], str]
# Where a long Chinese name may break into two lines (the full-width comma).
CJK_COMMA = "\uff0c"


def _num(value: float) -> str:
    return f"{value:.1f}"


def _svg(
    body: list[str], *, width: int = WIDTH, height: int = HEIGHT, label: str = ""
) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="quality-chart" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px;font:11px sans-serif">'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every text inside is escaped


def empty(message: str, *, height: int = 60) -> SafeString:
    """An empty chart saying why (no data yet)."""
    return _svg(
        [
            f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" fill="#666">'
            f"{escape(message)}</text>"
        ],
        height=height,
        label=message,
    )


@dataclass
class Scale:
    """Maps index and value to pixels inside the plot area."""

    count: int
    low: float
    high: float
    width: int = WIDTH
    height: int = HEIGHT

    def x(self, i: int) -> float:
        span = self.width - LEFT - RIGHT
        return LEFT + (span / 2 if self.count <= 1 else span * i / (self.count - 1))

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return self.height - BOTTOM - (self.height - TOP - BOTTOM) * (value - self.low) / span


def _scale(count: int, values: Sequence[float], *, floor: float | None = None) -> Scale:
    low, high = min(values), max(values)
    if floor is not None:
        low = min(low, floor)
    pad = (high - low) * 0.08 or 1.0
    return Scale(count=count, low=low - pad if floor is None else low, high=high + pad)


def _axes(scale: Scale, labels: Sequence[str], fmt: Fmt) -> list[str]:
    out = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{scale.height - BOTTOM}" stroke="#999"/>',
        f'<line x1="{LEFT}" y1="{scale.height - BOTTOM}" x2="{scale.width - RIGHT}" '
        f'y2="{scale.height - BOTTOM}" stroke="#999"/>',
    ]
    for k in range(5):
        value = scale.low + (scale.high - scale.low) * k / 4
        y = scale.y(value)
        out.append(
            f'<text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#444">'
            f"{escape(fmt(value))}</text>"
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{scale.width - RIGHT}" y2="{y:.1f}" '
            f'stroke="#eee"/>'
        )
    step = max(1, len(labels) // 6)
    for i in range(0, len(labels), step):
        out.append(
            f'<text x="{scale.x(i):.1f}" y="{scale.height - BOTTOM + 14}" text-anchor="middle" '
            f'fill="#444">{escape(labels[i])}</text>'
        )
    return out


def _polyline(points: list[tuple[float, float]], colour: str, *, dash: str = "", width=1.5) -> str:
    if not points:
        return ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{width}"{dashed}/>'
    )


def _text_width(text: str) -> int:
    """About how wide `text` is at 11 px: CJK characters take twice a Latin one's room."""
    return sum(12 if ord(c) > 0x2E80 else 7 for c in text)


def _legend(
    names: Sequence[str], colours: Sequence[str], *, height: int = HEIGHT, dashes=()
) -> list[str]:
    """A key under the plot: a swatch (a dashed line for limit lines) and each series' name."""
    out, x = [], LEFT
    dashes = list(dashes) or [""] * len(names)
    for name, colour, dash in zip(names, colours, dashes, strict=False):
        if dash:
            swatch = (
                f'<line x1="{x}" y1="{height - 9}" x2="{x + 12}" y2="{height - 9}" '
                f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
            )
        else:
            swatch = f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
        out.append(f'{swatch}<text x="{x + 16}" y="{height - 5}" fill="#222">{escape(name)}</text>')
        x += 28 + _text_width(str(name))
    return out


def _fit(text: str, width: int) -> str:
    """`text` cut (with an ellipsis) to about `width` pixels; the tooltip keeps it whole."""
    if _text_width(text) <= width:
        return text
    while text and _text_width(text) > width - 12:
        text = text[:-1]
    return text + "…"


def _two_lines(text: str, width: int, x: float) -> str:
    """`text` escaped, on one line if it fits `width` pixels, else broken after the last space
    or Chinese comma that fits (past the middle; else after the last character that fits), the
    second line cut with an ellipsis if need be; the two lines anchored at `x`, around where
    the one line would be."""
    if _text_width(text) <= width:
        return escape(text)
    cut = len(text)
    while cut and _text_width(text[:cut]) > width:
        cut -= 1
    gap = max(text.rfind(" ", 0, cut + 1), text.rfind(CJK_COMMA, 0, cut) + 1)
    cut = gap if gap > cut // 2 else cut
    first, second = text[:cut].rstrip(), _fit(text[cut:].strip(), width)
    return (
        f'<tspan x="{x}" dy="-6">{escape(first)}</tspan>'
        f'<tspan x="{x}" dy="13">{escape(second)}</tspan>'
    )


def _unit(unit: str) -> list[str]:
    """The unit of the value axis, above it."""
    return [f'<text x="4" y="10" fill="#444">{escape(unit)}</text>'] if unit else []


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    fmt: Fmt = _num,
    floor: float | None = 0.0,
    label: str = "",
    unit: str = "",
) -> SafeString:
    """Lines of one or more named series over shared labels (None leaves a gap), with a key
    and the unit of the value axis."""
    values = [v for vs in series.values() for v in vs if v is not None]
    if not labels or not values:
        return empty(label)
    scale = _scale(len(labels), values, floor=floor)
    body = _axes(scale, labels, fmt)
    colours = PALETTE[: len(series)]
    for (name, vs), colour in zip(series.items(), colours, strict=False):
        pts = [(scale.x(i), scale.y(v)) for i, v in enumerate(vs) if v is not None]
        body.append(_polyline(pts, colour))
        body.extend(
            f'<circle cx="{scale.x(i):.1f}" cy="{scale.y(v):.1f}" r="2" fill="{colour}">'
            f"<title>{escape(name)} {escape(labels[i])}: {escape(fmt(v))}</title></circle>"
            for i, v in enumerate(vs)
            if v is not None
        )
    body.extend(_legend(list(series), colours))
    body.extend(_unit(unit))
    return _svg(body, label=label)


def control_chart(
    chart: dict, *, fmt: Fmt = _num, label: str = "", names: dict, key: dict, unit: str = ""
) -> SafeString:
    """A control chart: values, centre line, limits per point, the baseline shaded, and the
    points where a rule fired in red (their rule in the tooltip); `key` names the value,
    centre, limits, baseline and signal in the legend."""
    points = chart["points"]
    if not points or chart["centre"] is None:
        return empty(label)
    values = [p["value"] for p in points] + [p["ucl"] for p in points] + [p["lcl"] for p in points]
    scale = _scale(len(points), values, floor=0.0)
    labels = [p["day"].strftime("%m-%d") for p in points]
    body = _axes(scale, labels, fmt)
    if chart["baseline"]:
        base_end = sum(1 for p in points if p["day"] <= chart["baseline"][1])
        x_end = scale.x(max(base_end - 1, 0))
        body.insert(
            0,
            f'<rect x="{LEFT}" y="{TOP}" width="{max(x_end - LEFT, 1):.1f}" '
            f'height="{scale.height - TOP - BOTTOM}" fill="#f3f6fa"/>',
        )
    xs = [scale.x(i) for i in range(len(points))]
    body.append(
        _polyline(
            [(x, scale.y(p["ucl"])) for x, p in zip(xs, points, strict=True)],
            LIMIT_COLOUR,
            dash="4 3",
            width=1,
        )
    )
    body.append(
        _polyline(
            [(x, scale.y(p["lcl"])) for x, p in zip(xs, points, strict=True)],
            LIMIT_COLOUR,
            dash="4 3",
            width=1,
        )
    )
    centre = scale.y(chart["centre"])
    body.append(_polyline([(xs[0], centre), (xs[-1], centre)], CENTRE_COLOUR, dash="6 3"))
    body.append(
        _polyline([(x, scale.y(p["value"])) for x, p in zip(xs, points, strict=True)], PALETTE[0])
    )
    fired: dict[int, list[str]] = {}
    for signal in chart["signals"]:
        fired.setdefault(signal["index"], []).append(str(names.get(signal["rule"], signal["rule"])))
    for i, (x, p) in enumerate(zip(xs, points, strict=True)):
        colour, radius = (SIGNAL_COLOUR, 4) if i in fired else (PALETTE[0], 2.5)
        why = "; ".join(fired.get(i, []))
        body.append(
            f'<circle class="{"signal" if i in fired else "point"}" cx="{x:.1f}" '
            f'cy="{scale.y(p["value"]):.1f}" r="{radius}" fill="{colour}"><title>'
            f"{escape(p['day'].isoformat())}: {escape(fmt(p['value']))} {escape(why)}"
            "</title></circle>"
        )
    body.extend(
        _legend(
            [key["value"], key["centre"], key["limits"], key["baseline"], key["signal"]],
            [PALETTE[0], CENTRE_COLOUR, LIMIT_COLOUR, "#dde4ee", SIGNAL_COLOUR],
            dashes=["", "6 3", "4 3", "", ""],
        )
    )
    body.extend(_unit(unit))
    return _svg(body, label=label)


def bar_chart(rows: Sequence[tuple[str, float]], *, fmt: Fmt = _num, label: str = "") -> SafeString:
    """Horizontal bars, one per (name, value), longest value filling the width."""
    if not rows:
        return empty(label)
    row_height, name_width = 22, 260
    height = TOP + row_height * len(rows) + 8
    top = max(v for _, v in rows) or 1.0
    body = []
    for i, (name, value) in enumerate(rows):
        y = TOP + i * row_height
        length = (WIDTH - name_width - 80) * value / top
        short = _fit(name, name_width - 12)
        body.append(
            f'<text x="{name_width - 6}" y="{y + 14}" text-anchor="end" fill="#222">'
            f"<title>{escape(name)}</title>{escape(short)}</text>"
            f'<rect x="{name_width}" y="{y + 3}" width="{max(length, 1):.1f}" height="15" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{name_width + length + 4:.1f}" y="{y + 14}" fill="#222">'
            f"{escape(fmt(value))}</text>"
        )
    return _svg(body, height=height, label=label)


Interval = dict  # {"mean": float, "low": float, "high": float}


def interval_chart(
    rows: Sequence[
        tuple[str, Interval | None, Interval | None]
        | tuple[str, Interval | None, Interval | None, Fmt]
    ],
    *,
    names: tuple[str, str],
    fmt: Fmt = _num,
    label: str = "",
) -> SafeString:
    """Two estimates per row, each a dot at its mean on a line over its 95 % interval (the
    as-is model and a scenario, say); every row on a scale of its own, since rows are of
    different units, and each estimate's figures at the right, written by the row's own
    formatter where the row gives one as a fourth item (shares as percent beside hours), else
    by `fmt`. A long name takes two lines, so names that differ only at the end stay apart."""
    rows = [row for row in rows if row[1] or row[2]]
    if not rows:
        return empty(label)
    row_height, name_width, figures = 36, 240, 190
    right = WIDTH - figures
    height = TOP + row_height * len(rows) + 24
    body = []
    for i, row in enumerate(rows):
        y = TOP + i * row_height
        name, estimates = row[0], [row[1], row[2]]
        row_fmt: Fmt = row[3] if len(row) > 3 else fmt  # type: ignore[misc]  # length checked
        known = [e for e in estimates if e]
        low = min(min(e["low"], e["mean"]) for e in known)
        high = max(max(e["high"], e["mean"]) for e in known)
        pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
        scale = Scale(count=1, low=low - pad, high=high + pad)

        def x(value: float, scale: Scale = scale) -> float:
            return name_width + (right - 12 - name_width) * (value - scale.low) / (
                scale.high - scale.low
            )

        body.append(
            f'<text x="{name_width - 6}" y="{y + 20}" text-anchor="end" fill="#222">'
            f"<title>{escape(name)}</title>"
            f"{_two_lines(name, name_width - 12, name_width - 6)}</text>"
            f'<line x1="{name_width}" y1="{y + row_height - 2}" x2="{WIDTH - RIGHT}" '
            f'y2="{y + row_height - 2}" stroke="#eee"/>'
        )
        for k, estimate in enumerate(estimates):
            if not estimate:
                continue
            colour, line_y = PALETTE[k], y + 10 + 13 * k
            body.append(
                f'<line x1="{x(estimate["low"]):.1f}" y1="{line_y}" '
                f'x2="{x(estimate["high"]):.1f}" y2="{line_y}" stroke="{colour}" '
                f'stroke-width="2"/><circle cx="{x(estimate["mean"]):.1f}" cy="{line_y}" r="4" '
                f'fill="{colour}"/><text x="{right}" y="{line_y + 4}" fill="#222">'
                f"{escape(row_fmt(estimate['mean']))} [{escape(row_fmt(estimate['low']))}, "
                f"{escape(row_fmt(estimate['high']))}]</text>"
            )
    return _svg(body + _legend(names, PALETTE[:2], height=height), height=height, label=label)


def band_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[Interval | float]],
    *,
    fmt: Fmt = _num,
    label: str = "",
    unit: str = "",
) -> SafeString:
    """Lines over shared labels, each point a plain value or an estimate whose 95 % interval
    is drawn as a shaded band around its mean (a simulation's replications beside the log,
    say), with a key and the unit of the value axis."""
    points = {
        name: [v if isinstance(v, dict) else {"mean": v, "low": v, "high": v} for v in values]
        for name, values in series.items()
    }
    values = [e[k] for es in points.values() for e in es for k in ("mean", "low", "high")]
    if not labels or not values:
        return empty(label)
    scale = _scale(len(labels), values, floor=0.0)
    body = _axes(scale, labels, fmt)
    colours = PALETTE[: len(points)]
    for (name, estimates), colour in zip(points.items(), colours, strict=False):
        if any(e["high"] > e["low"] for e in estimates):
            upper = [f"{scale.x(i):.1f},{scale.y(e['high']):.1f}" for i, e in enumerate(estimates)]
            lower = [f"{scale.x(i):.1f},{scale.y(e['low']):.1f}" for i, e in enumerate(estimates)]
            body.append(
                f'<polygon class="band" points="{" ".join(upper + lower[::-1])}" '
                f'fill="{colour}" fill-opacity="0.18" stroke="none"/>'
            )
        body.append(
            _polyline([(scale.x(i), scale.y(e["mean"])) for i, e in enumerate(estimates)], colour)
        )
        body.extend(
            f'<circle cx="{scale.x(i):.1f}" cy="{scale.y(e["mean"]):.1f}" r="2" fill="{colour}">'
            f"<title>{escape(name)} {escape(labels[i])}: {escape(fmt(e['mean']))}"
            + (
                f" [{escape(fmt(e['low']))}, {escape(fmt(e['high']))}]"
                if e["high"] > e["low"]
                else ""
            )
            + "</title></circle>"
            for i, e in enumerate(estimates)
        )
    body.extend(_legend(list(points), colours))
    body.extend(_unit(unit))
    return _svg(body, label=label)
