"""The site's shared layout holds on a phone (390 px wide): key pages for a student and for an
instructor never scroll sideways (wide tables scroll inside their own box), the header and its
navigation stay visible, and body text keeps WCAG AA contrast (>= 4.5:1) against its background."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import question_in_ch07, question_page_path

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
INSTRUCTOR = ("instructor", "instructor-demo")  # created by `manage.py seed_demo`

# Relative luminance and contrast ratio as WCAG 2.x defines them; the background is the first
# ancestor with a painted colour (alpha blended over white), as a reader sees it.
CONTRAST_JS = """
(selector) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const blend = ([r, g, b, a = 1], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
  let bg = null;
  for (let node = el; node; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length && (c.length < 4 || c[3] > 0)) { bg = blend(c, [255, 255, 255]); break; }
  }
  bg = bg || [255, 255, 255];
  const fg = blend(parse(getComputedStyle(el).color), bg);
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
"""


def assert_phone_layout(page: Any, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert overflow[0] <= overflow[1], f"{path}: page is {overflow[0]}px wide in a {overflow[1]}px window"

    header = page.locator("header.site-header")
    assert header.is_visible(), f"{path}: the site header is not visible"
    assert page.locator("header.site-header .brand").is_visible()
    box = header.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, (
        f"{path}: the header does not fit the screen: {box}"
    )

    for selector in ("body", "main p, main li, main td", "header.site-header nav a, header.site-header nav select"):
        ratio = page.evaluate(CONTRAST_JS, selector)
        if ratio is None:
            continue
        assert ratio >= 4.5, f"{path}: text contrast of {selector!r} is {ratio:.2f}:1, below 4.5:1"


def test_student_pages_fit_a_phone(
    page: Any, demo: dict[str, Any], log_in: Callable[..., None]
) -> None:
    from django.urls import reverse

    page.set_viewport_size(PHONE)
    assert_phone_layout(page, reverse("login"))
    log_in()

    quiz = question_in_ch07("output-size")
    code = question_in_ch07("convolution")
    course_id = quiz.assignment.course_id
    for path in (
        reverse("courses:list"),
        reverse("courses:detail", kwargs={"course_id": course_id}),
        reverse("assessments:assignment", kwargs={"course_id": course_id, "assignment_id": quiz.assignment_id}),
        question_page_path(quiz),
        question_page_path(code),
    ):
        assert_phone_layout(page, path)


def test_instructor_pages_fit_a_phone(
    page: Any, demo: dict[str, Any], log_in: Callable[..., None]
) -> None:
    """Staff pages are table-heavy: the tables must scroll inside the page, not widen it."""
    from django.urls import reverse

    page.set_viewport_size(PHONE)
    log_in(*INSTRUCTOR)
    quiz = question_in_ch07("output-size")
    course = {"course_id": quiz.assignment.course_id}
    assignment = {**course, "assignment_id": quiz.assignment_id}
    for path in (
        reverse("courses:detail", kwargs=course),
        reverse("gradebook:table", kwargs=course),
        reverse("grading:queue", kwargs=course),
        reverse("scoring:overview", kwargs=course),
        reverse("scoring:assignment_settings", kwargs=assignment),
        reverse("scoring:audit_log", kwargs=course),
        reverse("insights:assignment", kwargs=assignment),
    ):
        assert_phone_layout(page, path)
