"""Charts drawn on the server as inline SVG: horizontal bars and a daily line, with axes and Chinese labels.

No chart library and no script: the page stays readable with JavaScript off, and a phone scrolls the
chart sideways inside its frame instead of shrinking the text.
"""
import math
from itertools import count

from markupsafe import Markup, escape

BAR = "#1456a0"
LINE = "#b3261e"
GRID = "#dcdfe6"
INK = "#1f2329"
MUTED = "#5f6670"
FONT = 13
_ids = count(1)


def nice_max(value):
    """A round axis maximum ≥ value (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _ticks(top):
    """Whole-number ticks from 0 to `top` (a nice_max), four or five of them when they divide evenly."""
    top = int(top)
    step = next((top // n for n in (4, 5, 2) if top % n == 0 and top // n >= 1), 1)
    return list(range(0, top + 1, step))


def _num(value):
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _text_width(text):
    """Approximate rendered width: CJK glyphs are square, Latin ones about half."""
    return sum(FONT if ord(c) > 0x2E80 else FONT * 0.6 for c in text)


def _clip(label, limit):
    return label if len(label) <= limit else label[:limit - 1] + "…"


def bar_chart(rows, title, unit="条", width=480, short=None):
    """Horizontal bar chart of [(label, value)] with a value axis, as an SVG Markup.

    `short` maps a label to the text drawn beside its bar (the full label stays in the tooltip).
    """
    uid = f"chart{next(_ids)}"
    rows = [(str(label), value) for label, value in rows]
    labels = [_clip(short(label) if short else label, 16) for label, _ in rows]
    label_w = min(width * 0.45, max([_text_width(s) for s in labels] + [40])) + 12
    bar_h, gap, top_pad, bottom_pad = 22, 10, 12, 36
    height = top_pad + len(rows) * (bar_h + gap) + bottom_pad
    plot_x, plot_w = label_w, width - label_w - 56
    top = max(nice_max(max([v for _, v in rows] + [0])), 1)
    parts = [f'<svg class="chart" role="img" aria-labelledby="{uid}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{uid}">{escape(title)}</title>']
    axis_y = top_pad + len(rows) * (bar_h + gap)
    for tick in _ticks(top):
        x = plot_x + plot_w * tick / top
        parts.append(f'<line x1="{x:.1f}" y1="{top_pad - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="{GRID}"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 16}" font-size="{FONT - 1}" fill="{MUTED}" '
                     f'text-anchor="middle">{_num(tick)}</text>')
    parts.append(f'<text x="{plot_x + plot_w / 2:.1f}" y="{axis_y + 32}" font-size="{FONT - 1}" fill="{MUTED}" '
                 f'text-anchor="middle">数量({escape(unit)})</text>')
    for i, ((full, value), label) in enumerate(zip(rows, labels)):
        y = top_pad + i * (bar_h + gap)
        w = plot_w * value / top
        parts.append(f'<g><title>{escape(full)}:{_num(value)}{escape(unit)}</title>'
                     f'<text x="{plot_x - 8}" y="{y + bar_h / 2 + 5}" font-size="{FONT}" fill="{INK}" '
                     f'text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{plot_x}" y="{y}" width="{max(w, 1):.1f}" height="{bar_h}" fill="{BAR}" rx="2"/>'
                     f'<text x="{plot_x + w + 6:.1f}" y="{y + bar_h / 2 + 5}" font-size="{FONT}" '
                     f'fill="{INK}">{_num(value)}</text></g>')
    parts.append(f'<line x1="{plot_x}" y1="{top_pad - 4}" x2="{plot_x}" y2="{axis_y}" stroke="{MUTED}"/>')
    if not rows:
        parts.append(f'<text x="{plot_x + plot_w / 2:.1f}" y="{top_pad + 4}" font-size="{FONT}" fill="{MUTED}" '
                     f'text-anchor="middle">暂无数据</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(points, title, unit="条", width=640, height=260):
    """Line chart of [(day label, value)] in order, with both axes, as an SVG Markup."""
    uid = f"chart{next(_ids)}"
    left, right, top_pad, bottom = 48, 24, 26, 48
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = nice_max(max([v for _, v in points] + [0]))
    parts = [f'<svg class="chart" role="img" aria-labelledby="{uid}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{uid}">{escape(title)}</title>']
    base_y = top_pad + plot_h
    for tick in _ticks(top):
        y = base_y - plot_h * tick / top
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="{FONT - 1}" fill="{MUTED}" '
                     f'text-anchor="end">{_num(tick)}</text>')
    parts.append(f'<text x="{left - 6}" y="{top_pad - 10}" font-size="{FONT - 1}" fill="{MUTED}" '
                 f'text-anchor="end">{escape(unit)}</text>')
    n = len(points)
    step = plot_w / max(n - 1, 1)
    every = max(1, math.ceil(n / 8))
    coords = []
    for i, (label, value) in enumerate(points):
        x = left + (i * step if n > 1 else plot_w / 2)
        y = base_y - plot_h * value / top
        coords.append((x, y, label, value))
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{x:.1f}" y="{base_y + 18}" font-size="{FONT - 1}" fill="{MUTED}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line x1="{left}" y1="{base_y}" x2="{left + plot_w}" y2="{base_y}" stroke="{MUTED}"/>')
    parts.append(f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{base_y}" stroke="{MUTED}"/>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" font-size="{FONT - 1}" fill="{MUTED}" '
                 f'text-anchor="middle">日期</text>')
    if coords:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        for x, y, label, value in coords:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{LINE}">'
                         f'<title>{escape(label)}:{_num(value)}{escape(unit)}</title></circle>')
    else:
        parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{top_pad + plot_h / 2:.1f}" font-size="{FONT}" '
                     f'fill="{MUTED}" text-anchor="middle">暂无数据</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
