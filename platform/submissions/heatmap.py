"""The mismatch map of a failing array check (``grader.checks.arrays.mismatch_map``) as an inline
SVG, drawn here on the server: no chart library, no script. The map comes from a stored result,
so every field is checked before it is drawn; anything unexpected draws nothing."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

MAX_CELLS = 32
MAX_LEVEL = 9
CELL_PX = 10


def _ints(value: Any, count: int, low: int, high: int) -> list[int] | None:
    if not isinstance(value, list) or len(value) != count:
        return None
    if not all(isinstance(item, int) and not isinstance(item, bool) and low <= item <= high for item in value):
        return None
    return value


def heatmap_svg(heatmap: Any) -> SafeString:
    if not isinstance(heatmap, dict):
        return SafeString("")
    cells = heatmap.get("cells")
    if not isinstance(cells, list) or not 1 <= len(cells) <= MAX_CELLS or not isinstance(cells[0], list):
        return SafeString("")
    width = len(cells[0])
    if not 1 <= width <= MAX_CELLS or any(_ints(row, width, 0, MAX_LEVEL) is None for row in cells):
        return SafeString("")
    shape = _ints(heatmap.get("shape"), 2, 1, 10**9)
    block = _ints(heatmap.get("block"), 2, 1, 10**9)
    first = _ints(heatmap.get("first"), 2, 0, 10**9)
    lead = heatmap.get("slice")
    lead = _ints(lead, len(lead), 0, 10**9) if isinstance(lead, list) and len(lead) <= 6 else None
    if shape is None or block is None or first is None or lead is None:
        return SafeString("")
    rects = format_html_join(
        "", '<rect x="{}" y="{}" width="{}" height="{}" class="hm-{}"/>',
        ((col * CELL_PX, row * CELL_PX, CELL_PX, CELL_PX, level)
         for row, values in enumerate(cells) for col, level in enumerate(values) if level),
    )
    marker = format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" class="hm-first"/>',
        first[1] // block[1] * CELL_PX, first[0] // block[0] * CELL_PX, CELL_PX, CELL_PX,
    )
    where = ", ".join(str(i) for i in [*lead, *first])
    plane = ", ".join([*(str(i) for i in lead), ":", ":"])
    caption = _(
        "Where your values differ from the expected ones in [%(plane)s] (%(rows)s×%(cols)s): darker is "
        "further off; the outlined cell is the first wrong index (%(where)s)."
    ) % {"plane": plane, "rows": shape[0], "cols": shape[1], "where": where}
    if block != [1, 1]:
        caption += " " + _("Each cell covers %(rows)s×%(cols)s values.") % {"rows": block[0], "cols": block[1]}
    return format_html(
        '<figure class="heatmap"><svg role="img" viewBox="0 0 {} {}" width="{}" height="{}">'
        '<title>{}</title><rect class="hm-grid" x="0" y="0" width="{}" height="{}"/>{}{}</svg>'
        '<figcaption>{}</figcaption></figure>',
        width * CELL_PX, len(cells) * CELL_PX, width * CELL_PX, len(cells) * CELL_PX, caption,
        width * CELL_PX, len(cells) * CELL_PX, rects, marker, caption,
    )
