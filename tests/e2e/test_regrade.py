"""An instructor fixes the answer of a numeric question (a new version), opens its regrade page,
previews the regrade (progress bar, then the diff), applies it with "keep the higher score" and
sees the result, in Debian's chromium. Quiz answers regrade synchronously: no worker needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

INSTRUCTOR = ("prof-e2e", "prof-e2e-password")


def write_bundle(root: Path, answer: str) -> Path:
    question = root / "questions" / "area"
    question.mkdir(parents=True, exist_ok=True)
    (root / "bundle.yaml").write_text(
        'slug: regrade-e2e\ntitle: {ko: "재채점 연습", en: "Regrade practice"}\nquestions: [area]\n',
        encoding="utf-8",
    )
    (question / "question.yaml").write_text(
        "kind: numeric\n"
        'title: {ko: "출력 크기", en: "Output size"}\n'
        "points: 2\n"
        "prompt:\n"
        '  ko: "4×4 입력에 3×3 필터(스트라이드 1, 패딩 0)를 적용한 출력의 원소 수는?"\n'
        '  en: "How many elements has the output of a 3×3 filter on a 4×4 input (stride 1, no padding)?"\n'
        f'answer: "{answer}"\n'
        "tolerance: {abs: 0}\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture
def regrade_setup(live_server: Any, transactional_db: None, tmp_path: Path) -> dict[str, Any]:
    """A course whose numeric question had a wrong key (9); one student answered 9 (then right),
    one answered 4 (then wrong). The key is fixed to 4 with a new bundle version."""
    from assessments.loading import bundle_load
    from assessments.models import Question
    from courses.models import Course, Enrollment
    from django.contrib.auth import get_user_model
    from submissions.services.quiz import quiz_answer_create

    users = get_user_model().objects
    course = Course.objects.create(slug="regrade-e2e", title="재채점 e2e", join_code="REGRADE2")
    instructor = users.create_user(username=INSTRUCTOR[0], password=INSTRUCTOR[1])
    Enrollment.objects.create(course=course, user=instructor, role=Enrollment.Role.INSTRUCTOR)
    students = {}
    for name in ("kim", "lee"):
        students[name] = users.create_user(username=name, password=f"{name}-pw")
        Enrollment.objects.create(course=course, user=students[name], role=Enrollment.Role.STUDENT)
    bundle = write_bundle(tmp_path / "regrade-e2e", "9")
    bundle_load(path=bundle, course=course)
    question = Question.objects.get(assignment__course=course, slug="area")
    answers = {
        "kim": quiz_answer_create(user=students["kim"], question=question, data={"value": ["9"]}, lang="ko"),
        "lee": quiz_answer_create(user=students["lee"], question=question, data={"value": ["4"]}, lang="ko"),
    }
    assert (answers["kim"].score, answers["lee"].score) == (2.0, 0.0)
    bundle_load(path=write_bundle(bundle, "(4 - 3 + 1) ** 2"), course=course)
    question.refresh_from_db()
    assert question.current_version.number == 2
    return {"course": course, "question": question, "answers": answers, "students": students}


def test_instructor_previews_and_applies_a_regrade_keeping_the_higher_score(
    page: Any, log_in: Any, regrade_setup: dict[str, Any]
) -> None:
    from django.urls import reverse
    from scoring.models import RegradeRun, ScoreChange

    course, question = regrade_setup["course"], regrade_setup["question"]
    log_in(*INSTRUCTOR)

    # From the course page's staff tools to the question's regrade page.
    page.goto(reverse("courses:detail", args=[course.pk]))
    page.locator(f'a[href="{reverse("scoring:overview", args=[course.pk])}"]').click()
    page.locator(f'a[href="{reverse("scoring:question_regrade", args=[course.pk, question.pk])}"]').click()
    assert page.locator(".versions li").count() == 2

    with page.expect_navigation():
        page.locator("#regrade-preview").click()
    run = RegradeRun.objects.get(question=question)
    assert page.url.endswith(reverse("scoring:regrade_run", args=[course.pk, run.pk]))
    progress = page.locator("#regrade-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "2"

    # The diff: kim's answer (the old key) goes down, lee's (the real answer) goes up.
    page.wait_for_selector("table.regrade-diff")
    kim, lee = page.locator('tr.diff-row[data-student="kim"]'), page.locator('tr.diff-row[data-student="lee"]')
    assert "down" in kim.get_attribute("class").split() and "up" in lee.get_attribute("class").split()
    assert kim.locator(".old-score").inner_text() == "2" and kim.locator(".new-score").inner_text() == "0"
    assert lee.locator(".old-score").inner_text() == "0" and lee.locator(".new-score").inner_text() == "2"
    assert "정답 → 오답" in kim.inner_text() and "오답 → 정답" in lee.inner_text()  # a Korean browser
    for summary in ("summary-up", "summary-down", "summary-unchanged"):
        assert page.locator(f".{summary}").get_attribute("data-count") == ("0" if summary == "summary-unchanged" else "1")

    page.locator('input[name="policy"][value="keep_higher"]').check()
    page.fill('form.regrade-apply input[name="reason"]', "정답 키 수정")
    with page.expect_navigation():
        page.locator("#regrade-apply").click()

    assert page.locator(".regrade-status").get_attribute("data-status") == "applied"
    assert page.locator(".message.success").count() == 1
    assert page.locator('tr.diff-row[data-student="kim"] .outcome').inner_text() != page.locator(
        'tr.diff-row[data-student="lee"] .outcome'
    ).inner_text()
    assert page.locator("form.regrade-apply").count() == 0  # nothing left to apply
    answers = regrade_setup["answers"]
    for row in answers.values():
        row.refresh_from_db()
    assert (answers["kim"].score, answers["lee"].score) == (2.0, 2.0)  # kim keeps the higher score
    assert answers["lee"].correct and answers["kim"].attempt == answers["lee"].attempt == 1

    # The audit log shows the one change, who made it and why.
    page.goto(reverse("scoring:audit_log", args=[course.pk]) + "?source=regrade")
    rows = page.locator("tr.audit-row")
    assert rows.count() == 1
    assert "lee" in rows.inner_text() and INSTRUCTOR[0] in rows.inner_text() and "정답 키 수정" in rows.inner_text()
    assert ScoreChange.objects.filter(source=ScoreChange.Source.REGRADE).count() == 1
    assert page.js_errors == []


def code_regrade_course(tmp_path: Path, settings: Any) -> dict[str, Any]:
    """The mini code question graded (in this process) for two students, then its reference
    changed (v2): kim's correct code now fails the 'keys' check, lee's wrong code passes it."""
    import shutil

    from assessments.loading import bundle_load
    from assessments.models import Question
    from courses.models import Course, Enrollment
    from django.contrib.auth import get_user_model
    from submissions.models import Submission
    from submissions.services.grade import submission_grade

    from tests.platform.conftest import CORRECT_SCALE, MINI, WRONG_SCALE

    settings.GRADER_EXECUTOR = "inprocess"  # this process only; a real worker has its own
    users = get_user_model().objects
    course = Course.objects.create(slug="regrade-code", title="코드 재채점", join_code="REGRADE3")
    instructor = users.create_user(username=INSTRUCTOR[0], password=INSTRUCTOR[1])
    Enrollment.objects.create(course=course, user=instructor, role=Enrollment.Role.INSTRUCTOR)
    bundle = tmp_path / "mini"
    shutil.copytree(MINI, bundle)
    bundle_load(path=bundle, course=course)
    question = Question.objects.get(assignment__course=course, slug="scale")
    for index, (name, code) in enumerate((("kim", CORRECT_SCALE), ("lee", WRONG_SCALE))):
        user = users.create_user(username=name, password=f"{name}-pw")
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        row = Submission.objects.create(
            user=user, question=question, version=question.current_version, idempotency_key=f"e2e-{index}",
            code=code, seed=index + 1, attempt=1, max_score=question.points,
        )
        submission_grade(submission_id=row.pk, worker="e2e")
    reference = bundle / "questions" / "scale" / "reference.py"
    reference.write_text(reference.read_text().replace('NAMES = ["a", "b"]', 'NAMES = ["a"]'))
    bundle_load(path=bundle, course=course)
    question.refresh_from_db()
    return {"course": course, "question": question}


@pytest.fixture
def code_regrade_setup(live_server: Any, transactional_db: None, tmp_path: Path, settings: Any,
                       monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Tasks are recorded instead of sent: the test plays the worker, in-process."""
    from scoring import tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.regrade_item, "apply_async", lambda args, **_: sent.append(args[0]))
    return {**code_regrade_course(tmp_path, settings), "sent": sent}


def start_preview(page: Any, course: Any, question: Any) -> None:
    from django.urls import reverse

    page.goto(reverse("scoring:question_regrade", args=[course.pk, question.pk]))
    with page.expect_navigation():
        page.locator("#regrade-preview").click()


def assert_code_diff(page: Any) -> None:
    kim = page.locator('tr.diff-row[data-student="kim"]')
    lee = page.locator('tr.diff-row[data-student="lee"]')
    assert "down" in kim.get_attribute("class").split() and "up" in lee.get_attribute("class").split()
    assert "scale · keys" in kim.inner_text() and "통과 1/1 → 실패 0/1" in kim.inner_text()
    assert page.locator("#regrade-apply").count() == 1


def test_the_progress_bar_follows_a_code_regrade_until_the_diff_shows(
    page: Any, log_in: Any, code_regrade_setup: dict[str, Any]
) -> None:
    from scoring.models import RegradeRun
    from scoring.regrade.grading import regrade_code_item_grade

    course, question = code_regrade_setup["course"], code_regrade_setup["question"]
    log_in(*INSTRUCTOR)
    start_preview(page, course, question)
    run = RegradeRun.objects.get(question=question)
    assert run.status == RegradeRun.Status.RUNNING
    assert page.locator("#regrade-progress-text").inner_text() == "0 / 2"
    assert page.locator("table.regrade-diff").count() == 0

    sent = code_regrade_setup["sent"]
    assert len(sent) == 2
    regrade_code_item_grade(item_id=sent[0], worker="w")
    page.wait_for_function("() => document.getElementById('regrade-progress').value === 1")
    regrade_code_item_grade(item_id=sent[1], worker="w")
    page.wait_for_selector("table.regrade-diff")  # the page reloaded itself once done
    assert_code_diff(page)
    assert page.js_errors == []


def test_a_real_worker_regrades_code_on_the_grading_queue(
    page: Any, log_in: Any, live_server: Any, transactional_db: None, tmp_path: Path, settings: Any,
    redis_url: str, celery_worker_proc: Any,
) -> None:
    """The task goes through Redis to a real Celery worker (the unchanged worker command), which
    grades in its sandbox; the page's polling shows the diff when it is done."""
    from scoring.models import RegradeRun

    setup = code_regrade_course(tmp_path, settings)
    log_in(*INSTRUCTOR)
    start_preview(page, setup["course"], setup["question"])
    page.wait_for_selector("table.regrade-diff", timeout=120_000)
    assert RegradeRun.objects.get().status == RegradeRun.Status.READY
    assert_code_diff(page)
