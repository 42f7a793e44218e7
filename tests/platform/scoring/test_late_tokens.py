"""Late days (scoring/tokens.py): the course's budget and the cap per assignment, when one may be
spent, the policy moving the student's own dates (the extension mechanism: credit, late days and
submit refusal follow), the recomputation of stored scores, idempotent double clicks and races."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from courses.models import Enrollment
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone, translation
from scoring.models import Extension, LateTokenSpend, ScoreChange
from scoring.policies import extension_grant, extension_revoke
from scoring.policy import policy_for
from scoring.tokens import (
    TokenRefused,
    late_token_cap_set,
    late_token_setting_update,
    late_token_spend,
    token_balances,
    token_rules,
)
from submissions.models import QuizAnswer

from tests.platform.conftest import CORRECT_SCALE
from tests.platform.scoring.helpers import answer, enroll, graded_submission

NOW = timezone.now()
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def enable(course, instructor, tokens: int = 3, per_assignment: int = 2):  # type: ignore[no-untyped-def]
    return late_token_setting_update(course=course, actor=instructor, tokens_per_student=tokens,
                                     max_per_assignment=per_assignment)


def due_in(assignment, hours: float, close_hours: float | None = None):  # type: ignore[no-untyped-def]
    assignment.due_at = NOW + timedelta(hours=hours)
    assignment.closes_at = NOW + timedelta(hours=close_hours) if close_hours is not None else None
    assignment.save()
    return assignment


def spend(user, assignment, number: int = 1, at=None):  # type: ignore[no-untyped-def]
    return late_token_spend(user=user, assignment=assignment, number=number, at=at or NOW)


def test_a_late_day_moves_the_students_own_due_and_close_dates_by_one_day(course, instructor, student, fellow,
                                                                          quiz_assignment):
    enable(course, instructor)
    due_in(quiz_assignment, 5, close_hours=29)
    result = spend(student, quiz_assignment)
    assert result.created and result.spend.due_before == quiz_assignment.due_at
    assert result.spend.due_after == quiz_assignment.due_at + DAY
    mine = policy_for(user_id=student.pk, assignment=quiz_assignment)
    assert (mine.due_at, mine.closes_at, mine.token_days) == (
        quiz_assignment.due_at + DAY, quiz_assignment.closes_at + DAY, 1)
    theirs = policy_for(user_id=fellow.pk, assignment=quiz_assignment)
    assert theirs.due_at == quiz_assignment.due_at
    extension = Extension.objects.get(assignment=quiz_assignment, student=student)
    assert extension.due_at is None and extension.token_days == 1  # the assignment's date, one day later
    # The assignment's due date moves: the late day stays on top of the new one.
    quiz_assignment.due_at = NOW + timedelta(hours=48)
    quiz_assignment.save()
    assert policy_for(user_id=student.pk, assignment=quiz_assignment).due_at == NOW + timedelta(hours=72)


def test_a_late_submission_becomes_on_time_and_its_score_is_recomputed(course, instructor, student, quiz_question):
    enable(course, instructor)
    assignment = due_in(quiz_question.assignment, -2)  # due two hours ago; 0.25 off per started day
    late = answer(student, quiz_question, "right")
    assert (late.score, late.late_days) == (pytest.approx(1.5), 1)
    result = spend(student, assignment)
    late.refresh_from_db()
    assert (late.score, late.late_days) == (pytest.approx(2.0), 0)
    assert result.report is not None and result.report.changed == 1
    change = ScoreChange.objects.get(quiz_answer=late, source=ScoreChange.Source.DEADLINE)
    assert (change.old_score, change.new_score, change.actor) == (pytest.approx(1.5), pytest.approx(2.0), student)
    assert "late day 1" in change.reason


def test_a_late_code_submission_is_recomputed_too(course, instructor, student, code_question, inprocess):
    enable(course, instructor)
    assignment = code_question.assignment
    assignment.late_penalty_per_day = 0.5
    due_in(assignment, -3)
    late = graded_submission(student, code_question, CORRECT_SCALE)
    assert late.late_days == 1 and late.score == pytest.approx(late.max_score * 0.5)
    spend(student, assignment)
    late.refresh_from_db()
    assert late.late_days == 0 and late.score == pytest.approx(late.max_score)


def test_the_submit_refusal_follows_the_late_day(course, instructor, student, quiz_question):
    enable(course, instructor)
    assignment = due_in(quiz_question.assignment, -3, close_hours=-1)  # closed an hour ago
    assert policy_for(user_id=student.pk, assignment=assignment).submit_refusal(NOW, 0, quiz_question)
    spend(student, assignment)
    policy = policy_for(user_id=student.pk, assignment=assignment)
    assert policy.submit_refusal(NOW, 0, quiz_question) is None
    assert policy.credit(NOW) == 1.0  # on time again


def test_a_second_click_spends_nothing(course, instructor, student, quiz_assignment):
    enable(course, instructor)
    due_in(quiz_assignment, 5)
    first = spend(student, quiz_assignment, 1)
    again = spend(student, quiz_assignment, 1)
    assert first.created and not again.created and again.spend.pk == first.spend.pk
    assert Extension.objects.get(student=student).token_days == 1
    assert LateTokenSpend.objects.count() == 1


def test_a_stale_page_spends_nothing(course, instructor, student, quiz_assignment):
    enable(course, instructor)
    due_in(quiz_assignment, 5)
    with pytest.raises(TokenRefused, match="out of date"):
        spend(student, quiz_assignment, 2)
    assert not LateTokenSpend.objects.exists() and not Extension.objects.exists()


def test_at_most_the_cap_per_assignment(course, instructor, student, quiz_assignment):
    enable(course, instructor, tokens=5, per_assignment=2)
    due_in(quiz_assignment, 5)
    spend(student, quiz_assignment, 1)
    spend(student, quiz_assignment, 2)
    with pytest.raises(TokenRefused, match="already spent 2 late day"):
        spend(student, quiz_assignment, 3)
    assert Extension.objects.get(student=student).token_days == 2


def test_an_assignments_own_cap_overrides_the_courses(course, instructor, student, quiz_assignment):
    enable(course, instructor, tokens=5, per_assignment=2)
    due_in(quiz_assignment, 5)
    late_token_cap_set(assignment=quiz_assignment, max_tokens=0)
    with pytest.raises(TokenRefused, match="cannot be spent on this assignment"):
        spend(student, quiz_assignment)
    late_token_cap_set(assignment=quiz_assignment, max_tokens=3)
    for number in (1, 2, 3):
        spend(student, quiz_assignment, number)
    assert token_rules(course=course).cap_for(quiz_assignment.pk) == 3
    late_token_cap_set(assignment=quiz_assignment, max_tokens=None)
    assert token_rules(course=course).cap_for(quiz_assignment.pk) == 2


def test_none_left_over_the_term(course, instructor, student, fellow, quiz_assignment, mini_assignment):
    enable(course, instructor, tokens=2, per_assignment=2)
    due_in(quiz_assignment, 5)
    due_in(mini_assignment, 5)
    spend(student, quiz_assignment, 1)
    spend(student, mini_assignment, 1)
    with pytest.raises(TokenRefused, match="no late days left"):
        spend(student, quiz_assignment, 2)
    spend(fellow, quiz_assignment, 1)  # a budget per student
    rules = token_rules(course=course)
    balances = token_balances(course=course, rules=rules)
    assert (balances[student.pk].used, balances[student.pk].remaining) == (2, 0)
    assert (balances[fellow.pk].used, balances[fellow.pk].remaining) == (1, 1)
    # A lower budget stops new spending; what was spent stays spent.
    enable(course, instructor, tokens=1)
    assert token_balances(course=course, rules=token_rules(course=course))[student.pk].remaining == 0
    assert Extension.objects.get(student=student, assignment=quiz_assignment).token_days == 1


def test_until_24_hours_after_the_own_due_date(course, instructor, student, quiz_assignment):
    enable(course, instructor)
    due_in(quiz_assignment, -23)
    spend(student, quiz_assignment, 1)  # 23 hours late: allowed, the new due date is an hour ahead
    assert policy_for(user_id=student.pk, assignment=quiz_assignment).due_at == NOW + timedelta(hours=1)
    with pytest.raises(TokenRefused, match="Too late"):
        spend(student, quiz_assignment, 2, at=NOW + timedelta(hours=25))


@pytest.mark.parametrize(("setup", "message"), [
    ("off", "does not use late days"),
    ("no_due", "no due date"),
    ("unpublished", "not open"),
])
def test_refusals(course, instructor, student, quiz_assignment, setup, message):
    if setup != "off":
        enable(course, instructor)
    due_in(quiz_assignment, 5)
    if setup == "no_due":
        quiz_assignment.due_at = None
    if setup == "unpublished":
        quiz_assignment.published = False
    quiz_assignment.save()
    with pytest.raises(TokenRefused, match=message):
        spend(student, quiz_assignment)
    assert not Extension.objects.exists()


def test_only_students_spend_late_days(course, instructor, quiz_assignment):
    enable(course, instructor)
    due_in(quiz_assignment, 5)
    ta = enroll(course, "ta-x", Enrollment.Role.TA)
    with pytest.raises(TokenRefused, match="Only students"):
        spend(ta, quiz_assignment)


def test_staff_extensions_keep_the_students_late_days(course, instructor, student, quiz_assignment):
    enable(course, instructor)
    due_in(quiz_assignment, 5)
    spend(student, quiz_assignment)
    extension, _report = extension_grant(
        assignment=quiz_assignment, student_id=student.pk, due_at=NOW + timedelta(days=3), closes_at=None,
        extra_attempts=0, reason="sick", actor=instructor,
    )
    assert extension.token_days == 1
    assert policy_for(user_id=student.pk, assignment=quiz_assignment).due_at == NOW + timedelta(days=4)
    extension_revoke(extension=extension, actor=instructor)
    extension.refresh_from_db()  # still there: it carries the late day
    assert extension.due_at is None and extension.token_days == 1 and extension.granted_by is None
    assert policy_for(user_id=student.pk, assignment=quiz_assignment).due_at == quiz_assignment.due_at + DAY


def test_the_database_refuses_a_late_day_spent_twice(course, student, quiz_assignment):
    fields = {"course": course, "assignment": quiz_assignment, "student": student, "due_before": NOW, "due_after": NOW}
    LateTokenSpend.objects.create(number=1, ordinal=1, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        LateTokenSpend.objects.create(number=1, ordinal=2, **fields)  # the same late day of the assignment
    with pytest.raises(IntegrityError), transaction.atomic():
        LateTokenSpend.objects.create(number=2, ordinal=1, **fields)  # the same late day of the term


def test_concurrent_clicks_spend_one_late_day(transactional_db, course, instructor, student, quiz_question):
    enable(course, instructor)
    assignment = due_in(quiz_question.assignment, -2)
    late = answer(student, quiz_question, "right")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def click() -> None:
        barrier.wait()
        try:
            result = late_token_spend(user=student, assignment=assignment, number=1, at=NOW)
            outcomes.append("spent" if result.created else "already")
        except (TokenRefused, OperationalError):  # SQLite: a writer that lost the lock
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("spent") == 1, outcomes
    assert LateTokenSpend.objects.count() == 1
    assert Extension.objects.get(student=student).token_days == 1
    late.refresh_from_db()
    assert late.score == pytest.approx(2.0) and late.late_days == 0
    assert QuizAnswer.objects.count() == 1
