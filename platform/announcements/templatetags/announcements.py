"""``{% course_announcements course enrollment %}`` on the course page: the pinned announcements
and the newest others, with the staff's links (the course page's view stays the courses app's)."""

from __future__ import annotations

from typing import Any

from assessments.markdown import markdown_render
from courses.models import Course, Enrollment
from django import template

from announcements.selectors import announcement_list

register = template.Library()
SHOWN = 5  # besides the pinned ones; the rest are on the announcements page


@register.inclusion_tag("announcements/_course_section.html")
def course_announcements(course: Course, enrollment: Enrollment) -> dict[str, Any]:
    rows = list(announcement_list(course=course))
    pinned = [row for row in rows if row.pinned]
    others = [row for row in rows if not row.pinned]
    return {
        "course": course, "enrollment": enrollment, "announcements": pinned + others[:SHOWN],
        "more": len(others) > SHOWN, "can_post": enrollment.can_edit_assignments,
    }


@register.filter
def announcement_html(text: str) -> str:
    """An announcement's Markdown as sanitised HTML (assessments.markdown: nh3 removes raw HTML,
    scripts, event handlers and javascript: links)."""
    return markdown_render(text or "")
