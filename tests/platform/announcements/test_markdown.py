"""An announcement's Markdown is rendered through the sanitiser of question prompts
(assessments.markdown): whatever staff paste, no script, event handler, frame or javascript:
link reaches a student's browser; ordinary Markdown and math survive."""

from __future__ import annotations

import pytest
from announcements.models import Announcement
from announcements.templatetags.announcements import announcement_html
from django.urls import reverse

from tests.platform.announcements.helpers import client_for

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<svg onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">x</div>",
    "<scr<script>ipt>alert(1)</script>",
    "![x](javascript:alert(1))",
    "<form action=\"https://evil.example\"><input name=password></form>",
    "<object data=\"x\"></object><embed src=\"x\">",
    "<style>body{display:none}</style>",
]
FORBIDDEN = ["<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<svg", "<form", "<input",
             "<object", "<embed", "<style", "style="]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_markdown_is_defused(body):
    html = str(announcement_html(body)).lower()
    assert [word for word in FORBIDDEN if word in html] == []


def test_markdown_and_math_survive():
    html = str(announcement_html("**Room 101**, see [notes](https://example.org/n)\n\n$x^2$ and `a<b`"))
    assert "<strong>Room 101</strong>" in html
    assert 'href="https://example.org/n"' in html and 'rel="noopener noreferrer"' in html
    assert "$x^2$" in html and "<code>a&lt;b</code>" in html


def test_the_course_page_shows_a_hostile_announcement_defused(personas, course, instructor):
    title = "<script>alert('title')</script>"
    Announcement.objects.create(course=course, author=instructor, title=title, body="\n\n".join(HOSTILE))
    page = client_for(personas["student"]).get(reverse("courses:detail", args=[course.pk])).content.decode()
    section = page[page.index('class="announcements"'):]
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in section  # the title is text
    assert [word for word in FORBIDDEN if word in section.lower()] == []
