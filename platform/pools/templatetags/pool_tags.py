from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pool_label(pool_of: dict[int, str], question_id: int) -> str:
    """The pool a question belongs to, for the staff view of the assignment page ("" outside)."""
    return pool_of.get(question_id, "") if pool_of else ""
