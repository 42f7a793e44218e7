"""Authoring in the browser: an instructor writes a numeric question with math (live KaTeX preview
rendered by the server), saves and publishes it; a student then sees it and answers it correctly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

INSTRUCTOR = ("instructor", "instructor-demo")  # created by `manage.py seed_demo`
SPEC_YAML = 'variables: {B: {min: 4, max: 12}}\nanswer: "B * 3 / 2"\ntolerance: {abs: 0.01}\n'
PROMPT_KO = "밑변 $b = {{B}}$, 높이 $h = 3$인 삼각형의 넓이 $\\frac{1}{2} b h$는?"
PROMPT_EN = "A triangle has base $b = {{B}}$ and height $h = 3$. What is its area $\\frac{1}{2} b h$?"


@pytest.fixture(autouse=True)
def _own_storage(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"  # authored bundles go to a scratch folder, not var/


def log_out(page: Any) -> None:
    with page.expect_navigation():
        page.locator("form[action='/accounts/logout/'] button").click()


def test_instructor_authors_and_publishes_a_numeric_question_a_student_answers_it(
    page: Any, demo: dict, log_in: Any
) -> None:
    from assessments.models import Question
    from assessments.seeds import student_seed
    from courses.models import Course
    from django.urls import reverse

    from kinds import get_kind

    course = Course.objects.get(enrollments__user__username=INSTRUCTOR[0])
    log_in(*INSTRUCTOR)
    page.goto(reverse("courses:detail", args=[course.pk]))
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('authoring:index', args=[course.pk])}']").click()

    # A new assignment ...
    page.fill("form.bundle-new [name=slug]", "triangles")
    page.fill("form.bundle-new [name=title_ko]", "삼각형")
    page.fill("form.bundle-new [name=title_en]", "Triangles")
    with page.expect_navigation():
        page.locator("form.bundle-new [type=submit]").click()
    assert page.url.endswith(reverse("authoring:bundle", args=[course.pk, "triangles"]))

    # ... with a numeric question.
    page.select_option("form.add-question select[name=kind]", "numeric")
    with page.expect_navigation():
        page.locator("form.add-question [type=submit]").click()
    page.fill("#id_slug", "triangle-area")
    page.fill("#id_title_ko", "삼각형의 넓이")
    page.fill("#id_title_en", "Area of a triangle")
    page.fill("#id_points", "2")
    page.fill("#id_spec_yaml", SPEC_YAML)
    page.fill("#id_prompt_ko", PROMPT_KO)
    page.fill("#id_prompt_en", PROMPT_EN)

    # The live preview: the server's Markdown with a sample draw of B, math typeset by KaTeX.
    preview = page.locator("#preview-ko")
    page.wait_for_function(
        "() => { const p = document.querySelector('#preview-ko');"
        " return p && p.textContent.includes('삼각형') && p.querySelector('.katex'); }"
    )
    assert preview.locator(".katex").count() >= 3
    assert "{{B}}" not in preview.inner_text() and "$" not in preview.inner_text()

    with page.expect_navigation():
        page.locator("#save-question").click()
    assert page.locator(".field-error").count() == 0, page.locator(".field-error").all_inner_texts()
    assert page.url.endswith(reverse("authoring:question", args=[course.pk, "triangles", "triangle-area"]))

    page.goto(reverse("authoring:bundle", args=[course.pk, "triangles"]))
    assert page.locator("tr[data-question=triangle-area] .state-new").count() == 1
    with page.expect_navigation():
        page.locator("#publish").click()
    assert page.locator("tr[data-question=triangle-area] .state-published").count() == 1
    question = Question.objects.get(assignment__course=course, assignment__slug="triangles", slug="triangle-area")
    assert question.points == 2 and question.current_version is not None
    assert page.js_errors == []

    # The student finds it in the course and answers with their own B.
    log_out(page)
    log_in()
    student = demo["student"]
    page.goto(reverse("courses:detail", args=[course.pk]))
    with page.expect_navigation():
        page.get_by_role("link", name="삼각형").click()
    with page.expect_navigation():
        page.get_by_role("link", name="삼각형의 넓이").click()
    page.locator(".markdown .katex").first.wait_for()
    kind = get_kind("numeric")
    variables = kind.variant(question.current_version.spec, student_seed(user_id=student.pk, question_id=question.pk))
    assert f"b = {variables['B']}" in page.locator(".markdown.prompt").inner_text().replace("\n", " ") or \
        str(variables["B"]) in page.locator(".markdown.prompt").inner_text()
    page.fill("form.quiz-form input[name=value]", f"{variables['B'] * 3 / 2:g}")
    with page.expect_navigation():
        page.locator("form.quiz-form [type=submit]").click()
    result = page.locator(".quiz-result")
    assert "correct" in result.get_attribute("class").split()
    assert "2 / 2" in result.locator(".score").inner_text()
    assert page.js_errors == []


def test_code_question_reference_run_and_try_as_a_student_in_the_browser(
    page: Any, demo: dict, log_in: Any, redis_url: str, celery_worker_proc: Any
) -> None:
    """The CodeMirror editors mount on the code files; both buttons show the grader's verdict,
    computed by the Celery worker (the web process never runs code) and polled by the page."""
    from assessments.loading import bundle_load
    from courses.models import Course
    from django.urls import reverse

    root = Path(__file__).resolve().parents[1]
    course = Course.objects.get(enrollments__user__username=INSTRUCTOR[0])
    bundle_load(path=root / "grader" / "core" / "fixtures" / "mini", course=course)
    assignment = course.assignments.get(slug="mini")
    log_in(*INSTRUCTOR)
    page.goto(reverse("authoring:index", args=[course.pk]))
    with page.expect_navigation():
        page.locator(f"form[action='{reverse('authoring:bundle_copy', args=[course.pk, assignment.pk])}'] button").click()
    page.goto(reverse("authoring:question", args=[course.pk, "mini", "scale"]))
    page.wait_for_selector(".code-input .code-editor .cm-content")
    assert page.locator(".code-input .code-editor").count() == 4  # template, reference, probes, student

    page.locator("#run-reference").click()
    page.locator("#reference-result .run-result.passed").wait_for()
    assert page.locator("#reference-result .check.passed").count() == 3

    wrong = 'NAMES = ["a", "b"]\n\n\ndef scale(x, k):\n    return x + k\n'
    page.evaluate("(code) => window.__authoringEditors.student_code.setCode(code)", wrong)
    page.locator("#try-student").click()
    page.locator("#try-result .run-result").wait_for()
    assert page.locator("#try-result .check.failed").count() >= 1
    assert page.locator("#try-result .hidden-check").count() == 1
    assert page.js_errors == []
