"""Charts drawn on the server as SVG: each has a <title> and <desc>, text in near-black on white
(contrast above 4.5:1), and every bar or line carries its number or its name as text, with
patterns and dash styles as well as colour, so colour is never the only cue. The numbers drawn are
the same ones the table after each chart shows (the template passes the same series)."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

TEXT = "#0b0c0c"  # 19.8:1 on white
AXIS = "#505a5f"  # 7:1 on white
# Series fills: solid blue, then a hatched dark pattern, then a dotted green one (see _DEFS).
FILLS = ["#1d70b8", "url(#{id}-hatched)", "url(#{id}-dotted)"]
STROKES = ["#1d70b8", "#0b0c0c", "#00703c", "#d4351c", "#4c2c92", "#505a5f"]
DASHES = ["", "6 4", "2 3", "10 3 2 3", "1 5", "12 6"]
_DEFS = (
    '<defs><pattern id="{id}-hatched" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#0b0c0c" stroke-width="3"/></pattern>'
    '<pattern id="{id}-dotted" width="5" height="5" patternUnits="userSpaceOnUse">'
    '<rect width="5" height="5" fill="#ffffff"/><circle cx="2.5" cy="2.5" r="1.5" fill="#00703c"/>'
    "</pattern></defs>"
)


def _fill(chart_id: str, index: int) -> str:
    return FILLS[index % len(FILLS)].format(id=chart_id)


@dataclass
class Series:
    label: str
    values: list[int | None]  # None: fewer than 3, not shown


def _html(template: str, *args) -> SafeString:
    """format_html, with coordinates to one decimal place."""
    return format_html(template, *(f"{arg:.1f}" if isinstance(arg, float) else arg for arg in args))


def _label(value: int | None) -> str:
    return "fewer than 3" if value is None else f"{value:,}"


def _short(value: int | None) -> str:
    return "<3" if value is None else f"{value:,}"


def _svg(*, chart_id: str, title: str, desc: str, width: int, height: int, parts: list) -> SafeString:
    return format_html(
        '<svg class="app-chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" '
        'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{defs}{body}</svg>',
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=desc,
        defs=format_html(_DEFS, id=chart_id),
        body=format_html_join("", "{}", ((part,) for part in parts)),
    )


def _legend(series: list[Series], *, chart_id: str, x: int, y: int, line: bool = False) -> SafeString:
    parts = []
    for index, one in enumerate(series):
        top = y + index * 20
        if line:
            mark = _html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>',
                x,
                top + 7,
                x + 24,
                top + 7,
                STROKES[index % len(STROKES)],
                DASHES[index % len(DASHES)],
            )
        else:
            mark = _html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="{}"/>',
                x,
                top,
                FILLS[index % 3],
                TEXT,
            )
        parts.append(
            mark
            + _html(
                '<text x="{}" y="{}" font-size="13" fill="{}">{}</text>',
                x + (30 if line else 20),
                top + 12,
                TEXT,
                one.label,
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))


def columns(
    *, chart_id: str, title: str, desc: str, categories: list[str], series: list[Series]
) -> SafeString:
    """Vertical bars, one group per category (a month), one bar per series, each bar labelled."""
    width, height, left, top = 720, 320, 40, 20 + 20 * len(series)
    bottom = height - 40
    peak = max([value or 0 for one in series for value in one.values] + [1])
    group = (width - left - 10) / max(len(categories), 1)
    bar = max(min(group * 0.8 / max(len(series), 1), 40), 4)
    parts = [_legend(series, chart_id=chart_id, x=left, y=4)]
    parts.append(
        _html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>', left, bottom, width - 10, bottom, AXIS)
    )
    every = -(-len(categories) // 12)  # at most 12 labels under the axis; the table has every month
    for c, category in enumerate(categories):
        x0 = left + c * group + (group - bar * len(series)) / 2
        for s, one in enumerate(series):
            value = one.values[c]
            h = (value or 0) / peak * (bottom - top - 16)
            x = x0 + s * bar
            parts.append(
                _html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}"/>',
                    x,
                    bottom - h,
                    bar - 2,
                    h,
                    _fill(chart_id, s),
                    TEXT,
                )
            )
            if bar < 14:  # too narrow for its number: the table after the chart has it
                continue
            parts.append(
                _html(
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>',
                    x + (bar - 2) / 2,
                    bottom - h - 4,
                    TEXT,
                    _short(value),
                )
            )
        if c % every == 0:
            parts.append(
                _html(
                    '<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="{}">{}</text>',
                    left + c * group + group / 2,
                    bottom + 18,
                    TEXT,
                    category,
                )
            )
    return _svg(chart_id=chart_id, title=title, desc=desc, width=width, height=height, parts=parts)


def bars(
    *, chart_id: str, title: str, desc: str, categories: list[str], values: list[int | None]
) -> SafeString:
    """Horizontal bars, one per category (a borough, a network), each labelled with its number."""
    row, label_width, width = 24, 220, 720
    height = max(len(categories), 1) * row + 10
    peak = max([value or 0 for value in values] + [1])
    span = width - label_width - 90
    parts = []
    for index, (category, value) in enumerate(zip(categories, values, strict=True)):
        y = 5 + index * row
        w = (value or 0) / peak * span
        parts.append(
            _html(
                '<text x="{}" y="{}" font-size="13" text-anchor="end" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}"/>'
                '<text x="{}" y="{}" font-size="13" fill="{}">{}</text>',
                label_width - 8,
                y + 15,
                TEXT,
                category,
                label_width,
                y + 3,
                w,
                row - 6,
                _fill(chart_id, 0),
                TEXT,
                label_width + w + 6,
                y + 15,
                TEXT,
                _label(value),
            )
        )
    return _svg(chart_id=chart_id, title=title, desc=desc, width=width, height=height, parts=parts)


def lines(*, chart_id: str, title: str, desc: str, categories: list[str], series: list[Series]) -> SafeString:
    """One line per series over the categories (months), each in its own dash style and named at
    its end with its last value."""
    width, left, right = 720, 40, 200
    top = 20 + 20 * len(series)
    height = top + 240
    bottom = height - 40
    peak = max([value or 0 for one in series for value in one.values] + [1])
    step = (width - left - right) / max(len(categories) - 1, 1)
    parts = [_legend(series, chart_id=chart_id, x=left, y=4, line=True)]
    parts.append(
        _html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>', left, bottom, width - right, bottom, AXIS
        )
    )
    every = -(-len(categories) // 12)
    for c, category in enumerate(categories):
        if c % every:
            continue
        parts.append(
            _html(
                '<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="{}">{}</text>',
                left + c * step,
                bottom + 18,
                TEXT,
                category,
            )
        )
    for s, one in enumerate(series):
        points = [
            (left + c * step, bottom - (value or 0) / peak * (bottom - top - 10))
            for c, value in enumerate(one.values)
        ]
        parts.append(
            _html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>',
                " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                STROKES[s % len(STROKES)],
                DASHES[s % len(DASHES)],
            )
        )
        if points:
            x, y = points[-1]
            parts.append(
                _html(
                    '<text x="{}" y="{}" font-size="12" fill="{}">{}: {}</text>',
                    x + 6,
                    y + 4,
                    TEXT,
                    one.label,
                    _short(one.values[-1]),
                )
            )
    return _svg(chart_id=chart_id, title=title, desc=desc, width=width, height=height, parts=parts)
