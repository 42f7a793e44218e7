"""scoring.policy.StudentPolicy: one object per student and assignment owns the late credit, the
score formula, the submit rule and what is revealed when. Unit tests of the rules, the callers
that must agree with it (submit policy, question page, visibility wrappers), every path that
stores a score (quiz answer, code grading, deadline recomputation, regrade of quiz and code,
manual grading and score import) for a late student with an extension, and a source check that
nothing else multiplies by a credit."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from assessments.models import Assignment, Question
from assessments.pages import can_submit
from courses.models import Enrollment
from django.utils import timezone, translation
from grading.services import manual_grade_save
from scoring.models import Extension
from scoring.policies import assignment_policy_update
from scoring.policy import StudentPolicy, policies_for, policy_for, raw_fraction
from scoring.regrade.apply import regrade_apply
from scoring.regrade.grading import regrade_code_item_grade
from scoring.regrade.start import regrade_preview_start
from scoring.visibility import feedback_visible, hidden_checks_visible
from submissions.models import QuizAnswer, Submission
from submissions.services.errors import SubmitRefused
from submissions.services.policy import submission_policy_check
from submissions.services.submit import submission_create

from tests.platform.conftest import CORRECT_SCALE
from tests.platform.grading.helpers import *  # noqa: F403 (the shared fixtures: ta, essay, explain)
from tests.platform.grading.helpers import answer as essay_answer
from tests.platform.scoring.helpers import (
    answer,
    graded_submission,
    mini_with_names,
    right_is_wrong,
)

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
NOW = timezone.now()  # one instant for every date set here, so differences are exact
V = Assignment.FeedbackVisibility
H = Assignment.HiddenChecks


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def unsaved(**fields) -> Assignment:  # type: ignore[no-untyped-def]
    """An assignment that never touches the database (the policy's rules are pure)."""
    defaults = {"due_at": NOW, "late_penalty_per_day": 0.25, "max_attempts": 2}
    return Assignment(**(defaults | fields))


def hours(n: float):  # type: ignore[no-untyped-def]
    return NOW + timedelta(hours=n)


# --- credit and score -------------------------------------------------------------------------


def test_on_time_is_full_credit_and_the_score_is_fraction_times_points():
    policy = StudentPolicy.of(unsaved())
    assert (policy.hours_late(NOW), policy.days_late(NOW), policy.credit(NOW)) == (0.0, 0, 1.0)
    assert policy.score(0.5, 3.0, hours(-1)) == 1.5
    assert policy.score(1 / 3, 2.0, NOW) == round(2 / 3, 4) == 0.6667


def test_late_work_loses_the_per_day_penalty_for_every_started_day():
    policy = StudentPolicy.of(unsaved())
    at = hours(30)
    assert (policy.hours_late(at), policy.days_late(at)) == (30.0, 2)
    assert policy.credit(at) == 0.5
    assert policy.score(1.0, 2.0, at) == 1.0
    assert policy.score(0.3, 3.0, at) == round(0.3 * 3.0 * 0.5, 4)


def test_a_late_curve_replaces_the_per_day_penalty():
    policy = StudentPolicy.of(unsaved(late_curve=[[48, 0.5], [96, 0.0]], late_curve_mode="linear"))
    assert policy.credit(hours(24)) == pytest.approx(0.75)
    assert policy.score(1.0, 4.0, hours(24)) == 3.0
    assert policy.credit(hours(200)) == 0.0


def test_an_extension_moves_the_due_date_the_close_date_and_the_attempts():
    assignment = unsaved(closes_at=hours(24))
    extension = Extension(due_at=hours(30), closes_at=None, extra_attempts=1)
    mine, theirs = StudentPolicy.of(assignment, extension), StudentPolicy.of(assignment)
    at = hours(40)  # 40 h after the assignment's due date, 10 h after the student's
    assert (mine.days_late(at), mine.credit(at), mine.score(1.0, 2.0, at)) == (1, 0.75, 1.5)
    assert (theirs.days_late(at), theirs.credit(at), theirs.score(1.0, 2.0, at)) == (2, 0.5, 1.0)
    assert mine.closes_at == hours(54) and mine.max_attempts == 3 and mine.extension is extension
    assert mine.is_open(at) and not theirs.is_open(at)


def test_raw_scores_become_a_fraction_and_a_zero_maximum_counts_as_one():
    policy = StudentPolicy.of(unsaved())
    at = hours(30)  # credit 0.5
    assert raw_fraction(2, 4) == 0.5 and raw_fraction(0.5, 0) == 0.5 and raw_fraction(1, None) == 1.0
    assert policy.score_from_raw(2.0, 4.0, 3.0, at) == policy.score(0.5, 3.0, at) == 0.75
    assert policy.score_from_raw(0.0, 0.0, 3.0, at) == 0.0
    assert policy.score_from_points(2.5, at) == 1.25  # a manual grade: points before the late credit


def test_policies_for_many_students_take_one_query(django_assert_num_queries, student, fellow, quiz_assignment):
    Extension.objects.create(assignment=quiz_assignment, student=student, due_at=hours(30), extra_attempts=1)
    with django_assert_num_queries(1):
        policies = policies_for(assignment=quiz_assignment, user_ids={student.pk, fellow.pk})
        mine, theirs = policies[student.pk], policies[fellow.pk]
    assert mine == policy_for(user_id=student.pk, assignment=quiz_assignment)
    assert theirs == StudentPolicy.of(quiz_assignment) and theirs.extension is None
    assert mine.max_attempts == 3 and theirs.max_attempts == 2


# --- can submit -------------------------------------------------------------------------------


def refusal_everywhere(question: Question, user, used: int) -> str | None:  # type: ignore[no-untyped-def]
    """The refusal by the policy, the submit service and the question page: all three agree."""
    enrollment = Enrollment.objects.get(user=user, course_id=question.assignment.course_id)
    policy = policy_for(user_id=user.pk, assignment=question.assignment, staff=enrollment.is_staff_role)
    refusal = policy.submit_refusal(timezone.now(), used, question)
    allowed, reason = can_submit(question=question, enrollment=enrollment, used=used)
    assert (allowed, reason) == (refusal is None, refusal or "")
    if refusal is None:
        assert submission_policy_check(enrollment=enrollment, question=question, used=used, at=timezone.now())
    else:
        with pytest.raises(SubmitRefused) as refused:
            submission_policy_check(enrollment=enrollment, question=question, used=used, at=timezone.now())
        assert (refused.value.message, refused.value.status) == (refusal, 403)
    return refusal


def set_window(assignment: Assignment, **fields) -> None:  # type: ignore[no-untyped-def]
    for name, value in fields.items():
        setattr(assignment, name, value)
    assignment.save()


def test_an_open_window_with_attempts_left_accepts(student, quiz_question):
    assert refusal_everywhere(quiz_question, student, used=1) is None


def test_not_open_yet(student, quiz_question):
    set_window(quiz_question.assignment, opens_at=hours(1))
    assert refusal_everywhere(quiz_question, student, used=0) == "This assignment is not open yet."


def test_closed_unless_the_student_has_an_extension(student, fellow, quiz_question):
    set_window(quiz_question.assignment, due_at=hours(-48), closes_at=hours(-24))
    Extension.objects.create(assignment=quiz_question.assignment, student=student, due_at=hours(2))
    assert refusal_everywhere(quiz_question, fellow, used=0) == "This assignment is closed."
    assert refusal_everywhere(quiz_question, student, used=0) is None


def test_attempts_used_up_counts_the_extra_attempts(student, fellow, quiz_question):
    Extension.objects.create(assignment=quiz_question.assignment, student=student, due_at=hours(2), extra_attempts=1)
    assert refusal_everywhere(quiz_question, fellow, used=2) == "You have used all 2 attempts for this question."
    assert refusal_everywhere(quiz_question, student, used=2) is None
    assert refusal_everywhere(quiz_question, student, used=3) == "You have used all 3 attempts for this question."


def test_a_question_that_is_not_open_for_submissions(student, quiz_question):
    quiz_question.active = False
    quiz_question.save()
    policy = policy_for(user_id=student.pk, assignment=quiz_question.assignment)
    assert policy.submit_refusal(NOW, 0, quiz_question) == "This question is not open for submissions."
    enrollment = Enrollment.objects.get(user=student)
    with pytest.raises(SubmitRefused, match="not open for submissions"):
        submission_policy_check(enrollment=enrollment, question=quiz_question, used=0, at=NOW)


def test_staff_may_always_submit(instructor, quiz_question):
    set_window(quiz_question.assignment, opens_at=hours(1), closes_at=hours(2))
    quiz_question.active = False
    assert refusal_everywhere(quiz_question, instructor, used=99) is None


def test_the_messages_are_translated(student, quiz_question):
    set_window(quiz_question.assignment, due_at=hours(-48), closes_at=hours(-24))
    with translation.override("ko"):
        assert policy_for(user_id=student.pk, assignment=quiz_question.assignment).submit_refusal(
            NOW, 0, quiz_question
        ) == "이 과제는 종료되었습니다."


# --- what is revealed when ------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "before", "after"), [
    (V.IMMEDIATELY, True, True), (V.AFTER_DUE, False, True), (V.NEVER, False, False),
])
def test_feedback_follows_the_setting_and_the_students_own_due_date(setting, before, after):
    policy = StudentPolicy.of(unsaved(feedback_visibility=setting), Extension(due_at=hours(10), extra_attempts=0))
    assert (policy.reveals_feedback(hours(5)), policy.reveals_feedback(hours(11))) == (before, after)
    staff = StudentPolicy.of(unsaved(feedback_visibility=setting), staff=True)
    assert staff.reveals_feedback(hours(-5)) and staff.reveals_hidden(hours(-5))


@pytest.mark.parametrize(("setting", "before", "after"), [
    (H.ALWAYS, True, True), (H.AFTER_DUE, False, True), (H.NEVER, False, False),
])
def test_hidden_checks_follow_the_setting_and_the_students_own_due_date(setting, before, after):
    policy = StudentPolicy.of(unsaved(hidden_checks=setting), Extension(due_at=hours(10), extra_attempts=0))
    assert (policy.reveals_hidden(hours(5)), policy.reveals_hidden(hours(11))) == (before, after)


def test_the_visibility_wrappers_ask_the_policy_and_query_only_when_the_due_date_matters(
    django_assert_num_queries, student, fellow, quiz_assignment
):
    set_window(quiz_assignment, due_at=hours(-1), feedback_visibility=V.AFTER_DUE, hidden_checks=H.AFTER_DUE)
    Extension.objects.create(assignment=quiz_assignment, student=student, due_at=hours(5))
    for check in (feedback_visible, hidden_checks_visible):
        assert not check(assignment=quiz_assignment, user_id=student.pk, viewer_is_staff=False)
        assert check(assignment=quiz_assignment, user_id=fellow.pk, viewer_is_staff=False)
        assert check(assignment=quiz_assignment, user_id=student.pk, viewer_is_staff=False, at=hours(6))
        with django_assert_num_queries(0):  # staff see all: no extension to look up
            assert check(assignment=quiz_assignment, user_id=student.pk, viewer_is_staff=True)
    set_window(quiz_assignment, feedback_visibility=V.IMMEDIATELY, hidden_checks=H.NEVER)
    with django_assert_num_queries(0):
        assert feedback_visible(assignment=quiz_assignment, user_id=student.pk, viewer_is_staff=False)
        assert not hidden_checks_visible(assignment=quiz_assignment, user_id=student.pk, viewer_is_staff=False)


# --- every path that stores a score agrees with the policy ----------------------------------

# The assignment was due 50 hours ago; the student's extension moved it to 20 hours ago: a step
# curve gives them 0.7 (everyone else 0.4), constant around now so the grading instant is moot.
CURVE = {"late_curve": [[0, 0.7], [24, 0.4]], "late_curve_mode": "step"}


def late_with_extension(assignment: Assignment, student, instructor) -> StudentPolicy:  # type: ignore[no-untyped-def]
    set_window(assignment, due_at=hours(-50), closes_at=None, **CURVE)
    Extension.objects.create(assignment=assignment, student=student, due_at=hours(-20), extra_attempts=5,
                             granted_by=instructor)
    policy = policy_for(user_id=student.pk, assignment=assignment)
    assert policy.credit(timezone.now()) == 0.7 and policy.days_late(timezone.now()) == 1
    return policy


def test_quiz_answers_regrade_and_recompute_score_as_the_policy(instructor, student, quiz_question):
    policy = late_with_extension(quiz_question.assignment, student, instructor)
    points = quiz_question.points
    right = answer(student, quiz_question, "right")
    assert (right.score, right.late_days) == (policy.score(1.0, points, right.created_at), 1)
    wrong = answer(student, quiz_question, "wrong")
    assert wrong.score == 0.0

    # A regrade with the key flipped: the wrong answer earns the points, with the same credit.
    right_is_wrong(quiz_question)
    run = regrade_preview_start(question=quiz_question, actor=instructor)
    item = run.items.get(quiz_answer=wrong)
    assert item.new_score == policy.score(1.0, points, wrong.created_at)
    regrade_apply(run_id=run.pk, policy="use_new", actor=instructor)
    wrong.refresh_from_db()
    assert wrong.score == policy.score(1.0, points, wrong.created_at) == 1.4

    # A new curve recomputes the stored scores with the student's policy under that curve.
    assignment_policy_update(assignment=quiz_question.assignment, actor=instructor,
                             values={"late_curve": [[0, 0.65], [24, 0.1]]})
    policy = policy_for(user_id=student.pk, assignment=quiz_question.assignment)
    for row in QuizAnswer.objects.filter(user=student):
        assert row.score == policy.score(row.fraction, row.max_score, row.created_at)
        assert row.late_days == policy.days_late(row.created_at) == 1
    wrong.refresh_from_db()
    assert wrong.score == 1.3


def test_code_grading_regrade_and_recompute_score_as_the_policy(
    instructor, student, code_question, inprocess, tmp_path
):
    policy = late_with_extension(code_question.assignment, student, instructor)
    points = code_question.points
    # The row stored at submission time already counts days late from the student's own date.
    queued = submission_create(user=student, question=code_question, code=CORRECT_SCALE,
                               idempotency_key="policy-queued-1").submission
    assert queued.late_days == policy.days_late(queued.created_at) == 1
    Submission.objects.filter(pk=queued.pk).delete()

    graded = graded_submission(student, code_question, CORRECT_SCALE)
    max_raw = graded.results["max_score"]
    assert graded.score == policy.score_from_raw(graded.raw_score, max_raw, points, graded.created_at) == 2.1
    assert graded.late_days == 1

    # A regrade against a version whose 'keys' check now fails: 2 of 3 raw points.
    question = mini_with_names(tmp_path, code_question.assignment.course, ["a"])
    run = regrade_preview_start(question=question, actor=instructor)
    [item] = run.items.all()
    assert regrade_code_item_grade(item_id=item.pk, worker="w") == "graded"
    item.refresh_from_db()
    assert item.new_score == policy.score(item.new_fraction, points, graded.created_at)
    regrade_apply(run_id=run.pk, policy="use_new", actor=instructor)
    graded.refresh_from_db()
    assert graded.score == policy.score_from_raw(graded.raw_score, graded.results["max_score"], points,
                                                 graded.created_at) == round(2 / 3 * 3 * 0.7, 4)

    assignment_policy_update(assignment=question.assignment, actor=instructor,
                             values={"late_curve": [[0, 0.65], [24, 0.1]]})
    policy = policy_for(user_id=student.pk, assignment=question.assignment)
    graded.refresh_from_db()
    assert graded.score == policy.score_from_raw(graded.raw_score, graded.results["max_score"], points,
                                                 graded.created_at) == round(2 / 3 * 3 * 0.65, 4)


def test_manual_grades_and_imports_score_as_the_policy(course, instructor, student, ta, explain):
    from gradebook.imports import score_import_apply, score_import_preview

    policy = late_with_extension(explain.assignment, student, instructor)
    given = essay_answer(student, explain)
    assert given.late_days == 1
    grade = manual_grade_save(answer_id=given.pk, grader=ta, checked=[0])  # 1 of 3 points
    given.refresh_from_db()
    assert given.score == grade.score == policy.score_from_points(1.0, given.created_at) == 0.7
    assert given.score == policy.score(1 / 3, explain.points, given.created_at)

    csv_text = f"username,question,score\n{student.username},essay/explain,2.5\n"
    [line] = score_import_preview(course=course, csv_text=csv_text).lines
    assert line.new_score == policy.score_from_points(2.5, given.created_at) == 1.75
    score_import_apply(course=course, csv_text=csv_text, actor=instructor)
    given.refresh_from_db()
    assert given.score == line.new_score


# --- by construction, and checked in the source ----------------------------------------------


def _mentions_credit(node: ast.AST) -> bool:
    """A call of something named ``*credit*`` (``policy.credit(at)``, ``late_credit(...)``), or a
    name or attribute naming a credit."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return "credit" in name.lower()
    if isinstance(node, ast.Name):
        return "credit" in node.id.lower()
    if isinstance(node, ast.Attribute):
        return "credit" in node.attr.lower()
    return False


def _operands(node: ast.BinOp) -> list[ast.AST]:
    """Every factor of a product chain ``a * b * c`` (parsed as ``(a * b) * c``)."""
    result: list[ast.AST] = []
    for side in (node.left, node.right):
        if isinstance(side, ast.BinOp) and isinstance(side.op, ast.Mult):
            result += _operands(side)
        else:
            result.append(side)
    return result


def test_no_module_but_the_policy_multiplies_by_a_credit():
    offenders = []
    modules = [p for p in PLATFORM.rglob("*.py") if "migrations" not in p.parts]
    assert len(modules) > 50  # the walk found the platform
    for path in modules:
        relative = path.relative_to(PLATFORM).as_posix()
        if relative == "scoring/policy.py":
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        # Names holding a credit (``factor = policy.credit(at)``) count as a credit too.
        holders = {
            target.id
            for node in ast.walk(tree) if isinstance(node, ast.Assign) and _mentions_credit(node.value)
            for target in node.targets if isinstance(target, ast.Name)
        }

        def is_credit(node: ast.AST, holders: set[str] = holders) -> bool:
            return _mentions_credit(node) or (isinstance(node, ast.Name) and node.id in holders)

        for node in ast.walk(tree):
            product = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
            if product and any(is_credit(operand) for operand in _operands(node)):  # type: ignore[arg-type]
                offenders.append(f"{relative}:{node.lineno}: {ast.get_source_segment(source, node)}")
            if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Mult) and is_credit(node.value):
                offenders.append(f"{relative}:{node.lineno}: {ast.get_source_segment(source, node)}")
        # The plain-text version of the same rule, for what the tree walk could miss.
        for number, line in enumerate(source.splitlines(), start=1):
            if re.search(r"\*\s*[\w.\[\]()]*credit\w*\(|credit\w*\([^()]*\)\s*\*", line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "multiply by a credit only in scoring/policy.py:\n" + "\n".join(offenders)


def test_the_score_formula_is_written_once():
    pattern = re.compile(r"round\([^\n]*credit")
    hits = [
        path.relative_to(PLATFORM).as_posix()
        for path in PLATFORM.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert hits == ["scoring/policy.py"]


def test_no_two_functions_are_named_late_credit():
    definitions = [
        path.relative_to(PLATFORM).as_posix()
        for path in PLATFORM.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name == "late_credit"
    ]
    assert definitions == ["scoring/curve.py"]
