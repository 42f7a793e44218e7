"""What a student of a pooled assignment sees and scores: only their drawn questions (another
member's page is 404, answering it is refused), the assignment worth draw x points per pool in the
gradebook, the progress page and the LTI passback; insights and regrade per member."""

from __future__ import annotations

from pathlib import Path

import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment, Question
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from gradebook.matrix import MatrixFilters, gradebook_matrix
from gradebook.selectors import gradebook_table
from insights.selectors import question_dashboard
from lti.services.grades import assignment_score_compute
from progress.selectors import student_progress
from scoring.regrade.start import regrade_preview_start
from submissions.services.errors import SubmitRefused

from pools.models import PoolDraw
from pools.selectors import pool_layout
from tests.platform.pools.conftest import edit
from tests.platform.scoring.helpers import answer


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def split(assignment: Assignment, user) -> tuple[list[Question], list[Question]]:  # type: ignore[no-untyped-def]
    """(the pooled questions given to this student, the ones not given)."""
    layout = pool_layout(assignment_ids=[assignment.pk], user_ids=[user.pk])
    pooled = [q for q in assignment.questions.order_by("position") if q.pk in layout.pool_of]
    given = [q for q in pooled if layout.counts(user_id=user.pk, question_id=q.pk)]
    return given, [q for q in pooled if q not in given]


def assignment_url(assignment: Assignment) -> str:
    return reverse("assessments:assignment", args=[assignment.course_id, assignment.pk])


def test_the_assignment_page_lists_only_the_drawn_questions(pooled: Assignment, student) -> None:  # type: ignore[no-untyped-def]
    given, others = split(pooled, student)
    page = client_for(student).get(assignment_url(pooled)).content.decode()
    for question in given:
        assert f'data-question-id="{question.pk}"' in page
    for question in others:
        assert f'data-question-id="{question.pk}"' not in page
    assert "Question INTRO" in page
    assert ">5</td>" in page.split("<tfoot>")[1]  # 1 + 2 slots x 2 points
    # Seeing it stored the draw.
    assert set(PoolDraw.objects.filter(user=student).values_list("question_id", flat=True)) == {q.pk for q in given}


def test_staff_see_every_member_with_its_pool(pooled: Assignment, instructor) -> None:  # type: ignore[no-untyped-def]
    page = client_for(instructor).get(assignment_url(pooled)).content.decode()
    assert page.count('class="badge pool"') == 4
    assert reverse("pools:assignment", args=[pooled.course_id, pooled.pk]) in page
    assert ">5</td>" in page.split("<tfoot>")[1]
    assert not PoolDraw.objects.exists()  # staff views draw nothing


def test_a_member_drawn_for_others_answers_404(pooled: Assignment, student) -> None:  # type: ignore[no-untyped-def]
    given, others = split(pooled, student)
    client = client_for(student)
    assert client.get(reverse("assessments:question", args=[given[0].pk])).status_code == 200
    for question in others:
        url = reverse("assessments:question", args=[question.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"choice": "right"}).status_code == 404
    assert not any(q.pk in PoolDraw.objects.values_list("question_id", flat=True) for q in others)


def test_answering_a_member_drawn_for_others_is_refused_by_the_service(pooled: Assignment, student) -> None:  # type: ignore[no-untyped-def]
    _given, others = split(pooled, student)
    with pytest.raises(SubmitRefused) as refused:
        answer(student, others[0], "right")
    assert refused.value.status == 403 and "pool" in refused.value.message


def test_staff_may_open_and_answer_every_member(pooled: Assignment, instructor) -> None:  # type: ignore[no-untyped-def]
    for question in pooled.questions.all():
        assert client_for(instructor).get(reverse("assessments:question", args=[question.pk])).status_code == 200
        answer(instructor, question, "right")


def full_marks(assignment: Assignment, user) -> None:  # type: ignore[no-untyped-def]
    given, _others = split(assignment, user)
    for question in [assignment.questions.get(slug="intro"), *given]:
        answer(user, question, "right")


def test_the_gradebook_counts_per_slot(course, pooled: Assignment, student, fellow) -> None:  # type: ignore[no-untyped-def]
    full_marks(pooled, student)
    matrix = gradebook_matrix(course=course)
    (assignment, max_points, count), = matrix.assignments
    assert (max_points, count) == (5.0, 3) and matrix.max_total == 5.0
    rows = {row.enrollment.user_id: row for row in matrix.rows}
    assert rows[student.pk].total == 5.0 and not rows[student.pk].incomplete
    assert rows[fellow.pk].total == 0.0 and rows[fellow.pk].incomplete
    given = [cell.given for cell in rows[student.pk].cells]
    assert given.count(False) == 2  # the two members drawn for others
    table = gradebook_table(course=course)
    assert table.assignments[0][1] == 5.0 and table.max_total == 5.0
    assert {r.enrollment.user_id: r.total for r in table.rows}[student.pk] == 5.0


def test_a_score_on_a_member_not_given_does_not_count(course, pooled, pooled_dir: Path, student) -> None:  # type: ignore[no-untyped-def]
    _given, others = split(pooled, student)
    # The question was answered before it went into a pool (the pool was added later).
    text = (pooled_dir / "bundle.yaml").read_text()
    (pooled_dir / "bundle.yaml").write_text(text.split("pools:")[0] + "policy:" + text.split("policy:")[1])
    bundle_load(path=pooled_dir, course=course)
    answer(student, others[0], "right")
    (pooled_dir / "bundle.yaml").write_text(text)
    bundle_load(path=pooled_dir, course=course)
    full_marks(pooled, student)
    row = gradebook_matrix(course=course, filters=MatrixFilters(user_id=student.pk)).rows[0]
    assert row.total == 5.0
    assert assignment_score_compute(assignment_id=pooled.pk, student_id=student.pk).given == 5.0


def test_the_progress_page_and_lti_use_the_same_maximum(course, pooled: Assignment, student) -> None:  # type: ignore[no-untyped-def]
    full_marks(pooled, student)
    from courses.models import Enrollment

    progress = student_progress(course=course, enrollment=Enrollment.objects.get(user=student, course=course),
                                at=timezone.now())
    assert (progress.total, progress.max_total) == (5.0, 5.0)
    assert progress.rows[0].questions == 3
    score = assignment_score_compute(assignment_id=pooled.pk, student_id=student.pk)
    assert (score.given, score.maximum, score.activity_progress) == (5.0, 5.0, "Completed")


def test_the_question_dashboard_counts_only_the_students_given_it(course, pooled, student, fellow) -> None:  # type: ignore[no-untyped-def]
    for question in pooled.questions.exclude(slug="intro"):
        expected = sum(1 for user in (student, fellow) if question in split(pooled, user)[0])
        assert question_dashboard(question=question).enrolled == expected
    assert question_dashboard(question=pooled.questions.get(slug="intro")).enrolled == 2


def test_regrade_works_per_member(pooled: Assignment, student, instructor, pooled_dir: Path) -> None:  # type: ignore[no-untyped-def]
    given, _others = split(pooled, student)
    answer(student, given[0], "right")
    spec = pooled_dir / "questions" / given[0].slug / "question.yaml"  # the key was wrong: swap it
    edit(spec, "correct: true", "correct: swap")
    edit(spec, "correct: false", "correct: true")
    edit(spec, "correct: swap", "correct: false")
    bundle_load(path=pooled_dir, course=pooled.course)
    given[0].refresh_from_db()
    run = regrade_preview_start(question=given[0], actor=instructor)
    items = list(run.items.all())
    assert [item.student_id for item in items] == [student.pk]
    assert (items[0].old_score, items[0].new_score) == (2.0, 0.0)
