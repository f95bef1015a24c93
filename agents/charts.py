"""Charts drawn on the server as SVG: pure functions from numbers and labels to markup, no script, no service.

Every piece of text is escaped here (labels are article titles and merchants' codes), so the result is safe
to put in a page as it is. Screen readers get the same numbers from the data table next to each chart; the
SVG itself carries a title and one tooltip per bar for pointer users.
"""

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR = 22  # height of one horizontal bar
GAP = 8
LABEL_WIDTH = 220
LABEL_CHARS = 26
COLUMN_HEIGHT = 180
COLOURS = ("#1d6fb8", "#e08a00", "#c0392b", "#6c3fb5", "#2e8b57")


def _text(value) -> str:
    return escape(str(value), quote=True)


def _shorten(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(*, chart_id: str, title: str, height: int, body: list[str]) -> SafeString:
    title_id = f"{_text(chart_id)}-title"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_text(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{title_id}">'
        f'<title id="{title_id}">{_text(title)}</title>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 (every value above went through _text)


def _scale(values: Sequence[int]) -> int:
    return max([*values, 1])


def bar_chart(*, chart_id: str, title: str, rows: Sequence[tuple[str, int]]) -> SafeString:
    """Horizontal bars, one per (label, value), longest value spanning the plot."""
    top = _scale([value for _, value in rows])
    plot = WIDTH - LABEL_WIDTH - 50
    body = []
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR + GAP)
        length = round(plot * value / top)
        body.append(
            f'<g class="bar"><title>{_text(label)}: {_text(value)}</title>'
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR * 0.7:.1f}" text-anchor="end" font-size="13">'
            f"{_text(_shorten(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR}" fill="{COLOURS[0]}"/>'
            f'<text x="{LABEL_WIDTH + length + 4}" y="{y + BAR * 0.7:.1f}" font-size="13">{_text(value)}</text></g>'
        )
    return _svg(chart_id=chart_id, title=title, height=GAP + len(rows) * (BAR + GAP), body=body)


def stacked_bar_chart(
    *, chart_id: str, title: str, series: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]
) -> SafeString:
    """Horizontal bars split into coloured parts, one part per series, with a legend underneath."""
    top = _scale([sum(values) for _, values in rows])
    plot = WIDTH - LABEL_WIDTH - 50
    body = []
    for i, (label, values) in enumerate(rows):
        y = GAP + i * (BAR + GAP)
        x = LABEL_WIDTH
        body.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR * 0.7:.1f}" text-anchor="end" font-size="13">'
            f"{_text(_shorten(label))}</text>"
        )
        for part, value in enumerate(values):
            length = round(plot * value / top)
            if length:
                body.append(
                    f'<rect x="{x}" y="{y}" width="{length}" height="{BAR}" fill="{COLOURS[part % len(COLOURS)]}">'
                    f"<title>{_text(label)}, {_text(series[part])}: {_text(value)}</title></rect>"
                )
            x += length
        body.append(f'<text x="{x + 4}" y="{y + BAR * 0.7:.1f}" font-size="13">{_text(sum(values))}</text>')
    legend_y = GAP + len(rows) * (BAR + GAP) + 4
    for part, name in enumerate(series):
        x = LABEL_WIDTH + part * 100
        body.append(
            f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{COLOURS[part % len(COLOURS)]}"/>'
            f'<text x="{x + 16}" y="{legend_y + 11}" font-size="12">{_text(_shorten(name, 12))}</text>'
        )
    return _svg(chart_id=chart_id, title=title, height=legend_y + 20, body=body)


def column_chart(*, chart_id: str, title: str, columns: Sequence[tuple[str, int]], every: int = 7) -> SafeString:
    """Vertical columns over time (one per day), a label under the last column and every `every`-th before it."""
    top = _scale([value for _, value in columns])
    left, base = 36, COLUMN_HEIGHT
    step = (WIDTH - left - 8) / max(len(columns), 1)
    body = [
        f'<line x1="{left}" y1="{base}" x2="{WIDTH - 8}" y2="{base}" stroke="#888"/>',
        f'<text x="{left - 4}" y="14" text-anchor="end" font-size="12">{_text(top)}</text>',
        f'<text x="{left - 4}" y="{base}" text-anchor="end" font-size="12">0</text>',
    ]
    for i, (label, value) in enumerate(columns):
        x = left + i * step
        height = round((base - 10) * value / top)
        body.append(
            f'<rect x="{x + 1:.1f}" y="{base - height}" width="{max(step - 2, 1):.1f}" height="{height}" '
            f'fill="{COLOURS[0]}"><title>{_text(label)}: {_text(value)}</title></rect>'
        )
        if (len(columns) - 1 - i) % every == 0:
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle" font-size="11">'
                f"{_text(label)}</text>"
            )
    return _svg(chart_id=chart_id, title=title, height=base + 24, body=body)
