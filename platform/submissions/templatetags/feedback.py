from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from submissions.heatmap import heatmap_svg

register = template.Library()


@register.filter(name="heatmap_svg")
def heatmap_svg_filter(details: Any) -> SafeString:
    """``check.details`` -> the mismatch map of its first failing comparison, as inline SVG
    (empty when there is none). A check's details list its comparisons under ``compares``."""
    compares = details.get("compares") if isinstance(details, dict) else None
    for compare in compares if isinstance(compares, list) else []:
        if isinstance(compare, dict) and not compare.get("passed") and "heatmap" in compare:
            return heatmap_svg(compare["heatmap"])
    return SafeString("")
