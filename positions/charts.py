"""Server-side SVG pictures: stance timelines and stance matrices.

Every piece of text that reaches the markup goes through `_esc`, so a name or a claim containing
markup is drawn as text. Colour is never the only cue: each mark carries its stance as a text label
and a <title> (read by screen readers and shown as a tooltip).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

from positions.choices import STANCE_SCORE, Stance

# A diverging scale (ColorBrewer RdBu), opposition red, support blue; text colour chosen for contrast.
STANCE_COLOURS: dict[str, tuple[str, str]] = {
    Stance.STRONGLY_OPPOSE: ("#b2182b", "#ffffff"),
    Stance.OPPOSE: ("#ef8a62", "#1d2330"),
    Stance.CONDITIONAL: ("#fddbc7", "#1d2330"),
    Stance.NEUTRAL: ("#f7f7f7", "#1d2330"),
    Stance.SUPPORT: ("#67a9cf", "#1d2330"),
    Stance.STRONGLY_SUPPORT: ("#2166ac", "#ffffff"),
    Stance.UNCLEAR: ("#d9d9d9", "#1d2330"),
}
# Short labels that fit beside a point; the full label is in the <title>.
LABEL_WIDTH = 210
LABEL_CHARS = 27  # per line of a row title; two lines, then the full title is in the tooltip
CLAIM_LANE = 16  # the bottom of each timeline row, where claims sit, below the stance circles
PLOT_WIDTH = 620
RIGHT_PAD = 90
ROW_HEIGHT = 70
TOP = 34


def _esc(value: object) -> str:
    return escape(str(value), quote=True)


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _wrap(text: str, width: int = LABEL_CHARS, lines: int = 2) -> list[str]:
    """Break a title at spaces into at most `lines` lines; only what still does not fit is shortened."""
    out: list[str] = []
    rest = text.split()
    while rest and len(out) < lines:
        line = rest.pop(0)
        while rest and len(line) + 1 + len(rest[0]) <= width:
            line += " " + rest.pop(0)
        out.append(line)
    if rest:
        out[-1] = _shorten(out[-1] + " " + " ".join(rest), width)
    return [_shorten(line, width) for line in out] or [""]


def _label_svg(text: str, *, x: float, mid: float, css: str) -> str:
    """A title on one or two lines centred on `mid`, its full text as the tooltip and accessible name."""
    lines = _wrap(text)
    first = mid + 4 - 8 * (len(lines) - 1)
    spans = "".join(
        f'<tspan x="{x}" y="{first + 16 * index:.1f}">{_esc(line)}</tspan>' for index, line in enumerate(lines)
    )
    return f'<text class="{css}" aria-label="{_esc(text)}"><title>{_esc(text)}</title>{spans}</text>'


@dataclass
class TimelinePoint:
    """A position on a row: where it sits, what it says, and the page with its evidence."""

    on: datetime.date
    stance: str
    label: str  # e.g. "Support (February 2025)"
    href: str


@dataclass
class TimelineMark:
    """A claim on a row: drawn as a small diamond on the row's baseline."""

    on: datetime.date
    label: str
    href: str


@dataclass
class TimelineRow:
    title: str
    href: str = ""
    points: list[TimelinePoint] = field(default_factory=list)
    marks: list[TimelineMark] = field(default_factory=list)


def _date_range(rows: Sequence[TimelineRow]) -> tuple[datetime.date, datetime.date]:
    dates = [p.on for row in rows for p in row.points] + [m.on for row in rows for m in row.marks]
    if not dates:
        today = datetime.date.today()
        return today - datetime.timedelta(days=30), today
    start, end = min(dates), max(dates)
    pad = max((end - start).days // 12, 15)
    return start - datetime.timedelta(days=pad), end + datetime.timedelta(days=pad)


def timeline_svg(rows: Sequence[TimelineRow], *, title: str) -> SafeString:
    """One row per actor (or topic); within a row, height is the stance score from oppose to support."""
    start, end = _date_range(rows)
    span = max((end - start).days, 1)
    width = LABEL_WIDTH + PLOT_WIDTH + RIGHT_PAD
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + 24

    def x(on: datetime.date) -> float:
        return LABEL_WIDTH + PLOT_WIDTH * (on - start).days / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart timeline" viewBox="0 0 {width} {height}" '
        f'width="100%" role="group" aria-labelledby="tl-title">',
        f'<title id="tl-title">{_esc(title)}</title>',
        "<style>.tl-label{font:13px system-ui,sans-serif;fill:#1d2330}"
        ".tl-small{font:11px system-ui,sans-serif;fill:#5b6475}"
        "a:focus circle,a:hover circle,a:focus rect,a:hover rect{stroke:#000;stroke-width:3}</style>",
    ]
    # Axis: first of each month (or year, for long spans) between start and end.
    ticks, step_years = [], span > 3 * 365
    tick = datetime.date(start.year + (1 if step_years else 0), 1, 1) if step_years else start.replace(day=1)
    while tick <= end:
        if tick >= start:
            ticks.append(tick)
        tick = (
            datetime.date(tick.year + 1, 1, 1)
            if step_years
            else datetime.date(tick.year + (tick.month == 12), tick.month % 12 + 1, 1)
        )
    every = max(len(ticks) // 8, 1)
    for index, tick in enumerate(ticks):
        tx = x(tick)
        out.append(f'<line x1="{tx:.1f}" y1="{TOP - 6}" x2="{tx:.1f}" y2="{height - 24}" stroke="#e3e6ec"/>')
        if index % every == 0:
            text = tick.strftime("%Y" if step_years else "%b %Y")
            out.append(f'<text class="tl-small" x="{tx:.1f}" y="{TOP - 12}" text-anchor="middle">{_esc(text)}</text>')
    if not rows:
        out.append(f'<text class="tl-label" x="{LABEL_WIDTH}" y="{TOP + 30}">No positions or dated claims yet.</text>')
    for index, row in enumerate(rows):
        top = TOP + index * ROW_HEIGHT
        mid = top + ROW_HEIGHT / 2
        out.append(
            f'<rect x="{LABEL_WIDTH}" y="{top + 4}" width="{PLOT_WIDTH}" height="{ROW_HEIGHT - 8}" '
            f'fill="{"#fafbfc" if index % 2 else "#ffffff"}" stroke="#e3e6ec"/>'
        )
        label = _label_svg(row.title, x=8, mid=mid, css="tl-label")
        out.append(f'<a href="{_esc(row.href)}">{label}</a>' if row.href else label)

        def y(stance: str, top: float = top) -> float:
            score = STANCE_SCORE.get(stance)
            # -2..+2 spread over the row above the claim lane; unclear sits on the middle line, drawn hollow.
            stance_height = ROW_HEIGHT - CLAIM_LANE
            return top + stance_height / 2 + 2 - (score or 0) * (stance_height - 26) / 4

        points = sorted(row.points, key=lambda p: p.on)
        if len(points) > 1:
            path = " ".join(f"{x(p.on):.1f},{y(p.stance):.1f}" for p in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="#8a93a5" stroke-width="1.5"/>')
        for mark in row.marks:
            mx, my = x(mark.on), top + ROW_HEIGHT - CLAIM_LANE / 2 - 2
            out.append(
                f'<a href="{_esc(mark.href)}" class="tl-claim"><title>{_esc(mark.label)}</title>'
                f'<rect x="{mx - 4:.1f}" y="{my - 4:.1f}" width="8" height="8" transform="rotate(45 {mx:.1f} {my:.1f})"'
                ' fill="#5b6475"/></a>'
            )
        for point in points:
            px, py = x(point.on), y(point.stance)
            fill, _ = STANCE_COLOURS.get(point.stance, ("#d9d9d9", "#000"))
            hollow = STANCE_SCORE.get(point.stance) is None
            dash = ' stroke-dasharray="2 2"' if hollow else ""
            out.append(
                f'<a href="{_esc(point.href)}" class="tl-point"><title>{_esc(point.label)}</title>'
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="7" fill="{"#ffffff" if hollow else fill}" '
                f'stroke="#1d2330" stroke-width="1.2"{dash}/>'
                f'<text class="tl-small" x="{px + 10:.1f}" y="{py + 4:.1f}">'
                f"{_esc(Stance(point.stance).label if point.stance in Stance.values else point.stance)}</text></a>"
            )
    legend_y = height - 8
    out.append(
        f'<text class="tl-small" x="8" y="{legend_y}">Higher in a row = more support; ◆ along the bottom of a '
        "row = a claim; hollow circle = unclear stance.</text>"
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped by _esc


@dataclass
class MatrixCell:
    stance: str
    label: str  # full text for the <title>, e.g. "Macron: Support (February 2025)"
    href: str


def matrix_svg(
    *,
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    cells: dict[tuple[int, int], MatrixCell],
    title: str,
) -> SafeString:
    """A grid of stances: rows and columns are (title, href); an empty cell means no position yet."""
    cell_w, cell_h, head_h = 130, 38, 160
    width = LABEL_WIDTH + cell_w * max(len(columns), 1) + 120
    height = head_h + cell_h * max(len(rows), 1) + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart matrix" viewBox="0 0 {width} {height}" '
        f'width="{width}" role="group" aria-labelledby="mx-title">',
        f'<title id="mx-title">{_esc(title)}</title>',
        "<style>.mx-label{font:13px system-ui,sans-serif;fill:#1d2330}.mx-cell{font:12px system-ui,sans-serif}"
        "a:focus rect,a:hover rect{stroke:#000;stroke-width:2}</style>",
    ]
    for ci, (name, href) in enumerate(columns):
        # Column titles run upwards at an angle so long topic names stay readable.
        cx, cy = LABEL_WIDTH + ci * cell_w + 14, head_h - 8
        text = (
            f'<text class="mx-label" x="{cx:.1f}" y="{cy}" transform="rotate(-25 {cx:.1f} {cy})" '
            f'aria-label="{_esc(name)}">{_esc(_shorten(name, 48))}</text>'
        )
        out.append(f'<a href="{_esc(href)}"><title>{_esc(name)}</title>{text}</a>' if href else text)
    for ri, (name, href) in enumerate(rows):
        ry = head_h + ri * cell_h
        text = _label_svg(name, x=8, mid=ry + cell_h / 2, css="mx-label")
        out.append(f'<a href="{_esc(href)}">{text}</a>' if href else text)
        for ci in range(len(columns)):
            cx = LABEL_WIDTH + ci * cell_w
            cell = cells.get((ri, ci))
            if cell is None:
                out.append(
                    f'<rect x="{cx + 1}" y="{ry + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="#ffffff" '
                    'stroke="#e3e6ec"/>'
                    f'<text class="mx-cell" x="{cx + cell_w / 2:.1f}" y="{ry + cell_h / 2 + 4:.1f}" '
                    'text-anchor="middle" fill="#8a93a5">—</text>'
                )
                continue
            fill, ink = STANCE_COLOURS.get(cell.stance, ("#d9d9d9", "#1d2330"))
            out.append(
                f'<a href="{_esc(cell.href)}"><title>{_esc(cell.label)}</title>'
                f'<rect x="{cx + 1}" y="{ry + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}" '
                'stroke="#ffffff"/>'
                f'<text class="mx-cell" x="{cx + cell_w / 2:.1f}" y="{ry + cell_h / 2 + 4:.1f}" text-anchor="middle" '
                f'fill="{ink}">{_esc(Stance(cell.stance).label if cell.stance in Stance.values else cell.stance)}'
                "</text></a>"
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped by _esc


def legend_html() -> SafeString:
    """The stance scale as a list of swatches with their labels, for under a chart."""
    items = "".join(
        f'<li><span class="swatch" style="background:{fill}" aria-hidden="true"></span>{_esc(Stance(value).label)}</li>'
        for value, (fill, _) in STANCE_COLOURS.items()
    )
    return mark_safe(f'<ul class="legend" aria-label="Stance colours">{items}</ul>')  # noqa: S308
