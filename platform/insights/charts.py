"""Server-side SVG charts: pictures in the page with no JavaScript and no chart dependency.

Every chart is ``role="img"`` with a ``<title>`` and ``<desc>`` (screen readers read the numbers
from the description), and each bar has its own ``<title>`` as a hover tooltip. All text passes
through ``escape``: labels come from bundles and check names, which staff and authors write."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#0969da"
BAR_EMPHASIS = "#1a7f37"  # the full-marks bin: the one instructors look for first
AXIS = "#59636e"
GRID = "#d1d9e0"
FAIL = "#cf222e"

_ids = itertools.count(1)  # ids only need to be unique within one page


def _chart_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def _svg_open(*, width: int, height: int, title: str, desc: str, css_class: str) -> tuple[str, str]:
    chart_id = _chart_id(css_class)
    head = (
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
    )
    return head, chart_id


def bar_chart_svg(
    *,
    bars: Sequence[tuple[str, int]],
    title: str,
    x_label: str = "",
    y_label: str = "",
    emphasize_last: bool = False,
    width: int = 560,
    height: int = 240,
) -> SafeString:
    """Vertical bars of counts, one per (label, count), labelled underneath, counts on top."""
    left, right, top, bottom = 40, 8, 18, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((count for _label, count in bars), default=0) or 1
    desc = "; ".join(f"{label}: {count}" for label, count in bars)
    head, _chart = _svg_open(width=width, height=height, title=title, desc=desc, css_class="chart")
    parts = [head]
    # Axis and a mid gridline: enough to read magnitudes, the exact counts sit on the bars.
    # Counts are whole students: a mid line at 0.5 would be labelled with a fraction or a 0.
    for fraction in ((0.5, 1.0) if peak >= 2 else (1.0,)):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-dasharray="3 3"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="{AXIS}">{round(peak * fraction):g}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{AXIS}"/>')
    slot = plot_w / max(len(bars), 1)
    gap = min(6.0, slot * 0.2)
    for index, (label, count) in enumerate(bars):
        bar_h = plot_h * count / peak
        x = left + index * slot + gap / 2
        y = top + plot_h - bar_h
        color = BAR_EMPHASIS if emphasize_last and index == len(bars) - 1 else BAR
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot - gap:.1f}" height="{bar_h:.1f}" '
            f'fill="{color}" data-count="{count}"><title>{escape(label)}: {count}</title></rect>'
        )
        center = x + (slot - gap) / 2
        if count:
            parts.append(f'<text x="{center:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11">{count}</text>')
        parts.append(f'<text x="{center:.1f}" y="{top + plot_h + 15}" text-anchor="middle" font-size="11" '
                     f'fill="{AXIS}">{escape(label)}</text>')
    if x_label:
        parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                     f'font-size="12" fill="{AXIS}">{escape(x_label)}</text>')
    if y_label:
        parts.append(f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" font-size="12" '
                     f'fill="{AXIS}" transform="rotate(-90 12 {top + plot_h / 2:.1f})">{escape(y_label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text was escaped above


def spark_bars_svg(*, counts: Sequence[int], title: str, width: int = 90, height: int = 22) -> SafeString:
    """A tiny distribution (e.g. best scores in 10 bins) for a table row."""
    peak = max(counts, default=0) or 1
    head, _chart = _svg_open(width=width, height=height, title=title,
                             desc=", ".join(str(count) for count in counts), css_class="sparkline")
    parts = [head]
    slot = width / max(len(counts), 1)
    for index, count in enumerate(counts):
        bar_h = max((height - 2) * count / peak, 1.0 if count else 0.0)
        parts.append(f'<rect class="bar" x="{index * slot + 0.5:.1f}" y="{height - bar_h:.1f}" '
                     f'width="{slot - 1:.1f}" height="{bar_h:.1f}" fill="{BAR}"/>')
    parts.append(f'<line x1="0" x2="{width}" y1="{height - 0.5}" y2="{height - 0.5}" stroke="{GRID}"/></svg>')
    return mark_safe("".join(parts))  # noqa: S308 - only numbers and the escaped title


def meter_svg(
    *, fraction: float | None, title: str, color: str = BAR, width: int = 110, height: int = 12
) -> SafeString:
    """A horizontal bar for a share (mean score, failure rate): 0..1, None draws an empty track."""
    value = 0.0 if fraction is None else min(max(fraction, 0.0), 1.0)
    head, _chart = _svg_open(width=width, height=height, title=title,
                             desc="—" if fraction is None else f"{value * 100:.0f}%", css_class="meter")
    return mark_safe(  # noqa: S308 - only numbers and the escaped title
        f'{head}<rect x="0" y="0" width="{width}" height="{height}" rx="3" fill="{GRID}"/>'
        f'<rect class="bar" x="0" y="0" width="{width * value:.1f}" height="{height}" rx="3" fill="{escape(color)}"/></svg>'
    )
