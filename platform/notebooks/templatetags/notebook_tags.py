from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("notebooks/_assignment_link.html")
def assignment_notebook_link(assignment: Any, rows: Any) -> dict[str, Any]:
    """The "all code questions as one notebook" link, when the assignment has any."""
    has_code = any(question.is_code for question, _status in rows or [])
    return {"assignment": assignment, "has_code": has_code}
