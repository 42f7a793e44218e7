"""``{% regrade_requests_open assignment as open %}``: whether the assignment's students may ask
for a regrade now (the question page shows its link only then)."""

from __future__ import annotations

from assessments.models import Assignment
from django import template
from django.utils import timezone

from regrade_requests.services import window_closes_at

register = template.Library()


@register.simple_tag
def regrade_requests_open(assignment: Assignment) -> bool:
    closes_at = window_closes_at(assignment)
    return closes_at is not None and closes_at > timezone.now()
