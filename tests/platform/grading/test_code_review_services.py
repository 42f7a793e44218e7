"""The code review services: the score is automatic points + rubric items (negative items deduct)
+ adjustment, clamped to 0..points, then the student's late credit through StudentPolicy; each
review is audited (source manual); a regrade keeps the review's delta on top of the new automatic
points; line comments and who may change them; splitting the queue; the per-grader order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from grading.code_review import (
    code_review_reapply,
    code_review_save,
    line_comment_create,
    line_comment_delete,
    line_comment_update,
)
from grading.models import CodeReview, GradingAssignment
from grading.order import anonymous_label, shuffle_key
from grading.review_selectors import review_rows
from grading.services import GradingRefused, grading_split_evenly
from scoring.models import ScoreChange
from scoring.policy import policy_for
from scoring.services import score_change_record
from submissions.models import Submission

from tests.platform.conftest import make_user
from tests.platform.grading.helpers import *  # noqa: F403
from tests.platform.grading.review_helpers import *  # noqa: F403
from tests.platform.grading.review_helpers import graded


def _enrollment(user, course):  # type: ignore[no-untyped-def]
    return user.enrollments.get(course=course)


def test_items_add_to_the_automatic_points_and_are_audited_as_manual(student, ta, scale):
    submission = graded(student, scale, raw=2.0, max_raw=3.0)  # 2 of 3 points automatically
    review = code_review_save(submission_id=submission.pk, grader=ta, checked=[0], comment="좋아요")
    submission.refresh_from_db()
    assert (review.auto_points, review.raw_score, review.score) == (2.0, 3.0, 3.0)
    assert submission.score == 3.0 and submission.raw_score == 2.0  # the grader's own result is kept
    change = ScoreChange.objects.get(submission=submission)
    assert change.source == ScoreChange.Source.MANUAL and change.actor == ta
    assert (change.old_score, change.new_score) == (2.0, 3.0)
    assert "automatic 2" in change.reason and "좋아요" in change.reason
    assert GradingAssignment.objects.get(question=scale, student=student).grader == ta


def test_a_negative_item_deducts_and_the_total_is_clamped_at_zero(student, ta, scale):
    submission = graded(student, scale, raw=1.0, max_raw=3.0)
    review = code_review_save(submission_id=submission.pk, grader=ta, checked=[1])  # -2
    assert review.raw_score == 0.0 and review.delta == -2.0
    review = code_review_save(submission_id=submission.pk, grader=ta, checked=[1], adjustment=1.5)
    assert review.raw_score == 0.5


def test_the_total_is_clamped_at_the_question_points(student, ta, scale):
    submission = graded(student, scale, raw=3.0, max_raw=3.0)
    review = code_review_save(submission_id=submission.pk, grader=ta, checked=[0], adjustment=2)
    assert review.raw_score == 3.0


def test_the_late_credit_comes_from_the_student_policy(student, ta, scale):
    assignment = scale.assignment
    assignment.due_at = timezone.now() - timedelta(days=3)
    assignment.late_penalty_per_day = 0.1
    assignment.save()
    submission = graded(student, scale, raw=1.5, max_raw=3.0, ago=timedelta(days=1, hours=12))  # 2 days late
    review = code_review_save(submission_id=submission.pk, grader=ta, checked=[0])
    policy = policy_for(user_id=student.pk, assignment=assignment)
    assert review.raw_score == 2.5
    assert review.score == policy.score_from_points(2.5, submission.created_at) == pytest.approx(2.0)


def test_a_regrade_keeps_the_review_on_top_of_the_new_automatic_points(
    student, ta, instructor, scale, django_capture_on_commit_callbacks
):
    submission = graded(student, scale, raw=3.0, max_raw=3.0)
    code_review_save(submission_id=submission.pk, grader=ta, checked=[1], comment="반복문")  # 3 - 2 = 1
    # What scoring.regrade.apply does: rewrite the automatic result, audit it as REGRADE.
    with django_capture_on_commit_callbacks(execute=True):
        Submission.objects.filter(pk=submission.pk).update(raw_score=1.5, score=1.5)
        score_change_record(
            student_id=student.pk, question_id=scale.pk, old_score=1.0, new_score=1.5,
            source=ScoreChange.Source.REGRADE, actor=instructor, submission_id=submission.pk,
        )
    submission.refresh_from_db()
    latest = CodeReview.objects.filter(submission=submission).first()
    assert latest.source == CodeReview.Source.REGRADE and latest.grader == ta
    assert (latest.auto_points, latest.raw_score) == (1.5, 0.0)  # 1.5 - 2, clamped
    assert latest.comment == "반복문" and [i["index"] for i in latest.rubric_checked] == [1]
    assert submission.score == 0.0
    sources = list(ScoreChange.objects.filter(submission=submission).order_by("id").values_list("source", flat=True))
    assert sources == ["manual", "regrade", "manual"]
    assert ScoreChange.objects.filter(submission=submission).order_by("id").last().actor == instructor
    # Nothing moved since: re-applying again is a no-op.
    assert code_review_reapply(submission_id=submission.pk) is None


def test_a_regrade_of_a_submission_without_review_is_left_alone(student, scale, django_capture_on_commit_callbacks):
    submission = graded(student, scale, raw=3.0, max_raw=3.0)
    with django_capture_on_commit_callbacks(execute=True):
        Submission.objects.filter(pk=submission.pk).update(raw_score=1.5, score=1.5)
        score_change_record(student_id=student.pk, question_id=scale.pk, old_score=3.0, new_score=1.5,
                            source=ScoreChange.Source.REGRADE, submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.score == 1.5 and not CodeReview.objects.exists()


def test_only_the_latest_graded_submission_is_reviewed_and_concurrent_saves_are_refused(student, ta, ta2, scale):
    old = graded(student, scale, raw=1.0)
    new = graded(student, scale, raw=2.0)
    with pytest.raises(GradingRefused):
        code_review_save(submission_id=old.pk, grader=ta, checked=[0])
    first = code_review_save(submission_id=new.pk, grader=ta, checked=[0], expected_review_id=None)
    with pytest.raises(GradingRefused):
        code_review_save(submission_id=new.pk, grader=ta2, checked=[], expected_review_id=None)
    code_review_save(submission_id=new.pk, grader=ta2, checked=[], expected_review_id=first.pk)
    assert CodeReview.objects.filter(submission=new).count() == 2


def test_line_comments_check_the_range_and_only_the_author_or_an_instructor_change_them(
    course, student, ta, ta2, instructor, scale
):
    submission = graded(student, scale)  # 3 lines (and an empty 4th after the final newline)
    comment = line_comment_create(submission=submission, author=ta, line_start=3, line_end=2, body="  이름  ")
    assert (comment.line_start, comment.line_end, comment.body) == (2, 3, "이름")
    with pytest.raises(GradingRefused):
        line_comment_create(submission=submission, author=ta, line_start=1, line_end=99, body="x")
    with pytest.raises(GradingRefused):
        line_comment_create(submission=submission, author=ta, line_start=1, line_end=1, body="   ")
    with pytest.raises(GradingRefused) as refused:
        line_comment_update(comment=comment, actor=ta2, enrollment=_enrollment(ta2, course), body="mine now")
    assert refused.value.status == 403
    line_comment_update(comment=comment, actor=ta, enrollment=_enrollment(ta, course), body="고침")
    line_comment_update(comment=comment, actor=instructor, enrollment=_enrollment(instructor, course), body="교수 고침")
    comment.refresh_from_db()
    assert comment.body == "교수 고침"
    with pytest.raises(GradingRefused):
        line_comment_delete(comment=comment, actor=ta2, enrollment=_enrollment(ta2, course))
    line_comment_delete(comment=comment, actor=instructor, enrollment=_enrollment(instructor, course))
    assert not submission.line_comments.exists()


def test_the_code_queue_is_split_evenly_and_reviewed_work_is_not_dealt(course, ta, ta2, scale):
    students = [make_user(f"s{n:02d}") for n in range(5)]
    from courses.models import Enrollment

    for user in students:
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        graded(user, scale)
    reviewed = Submission.objects.filter(user=students[0]).get()
    code_review_save(submission_id=reviewed.pk, grader=ta, checked=[])
    report = grading_split_evenly(course=course, grader_ids=[ta.pk, ta2.pk], queue="code")
    assert report.total == 4 and sorted(report.assigned.values()) == [2, 2]
    mine = review_rows(question=scale, grader=ta2, who="mine", status="pending")
    assert len(mine) == 2


def test_the_random_order_is_stable_per_grader_and_differs_between_graders(course, ta, ta2, scale):
    from courses.models import Enrollment
    from grading.models import GradingSettings

    for n in range(8):
        user = make_user(f"s{n:02d}")
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        graded(user, scale)
    by_name = [row.submission.user_id for row in review_rows(question=scale, grader=ta)]
    GradingSettings.objects.create(course=course, shuffled=True)
    first = [row.submission.user_id for row in review_rows(question=scale, grader=ta)]
    again = [row.submission.user_id for row in review_rows(question=scale, grader=ta)]
    other = [row.submission.user_id for row in review_rows(question=scale, grader=ta2)]
    assert first == again and sorted(first) == sorted(by_name)
    assert first != other and first != by_name
    assert first == sorted(by_name, key=lambda sid: shuffle_key(grader_id=ta.pk, question_id=scale.pk, student_id=sid))


def test_anonymous_rows_carry_a_pseudonym_until_reviewed(course, ta, kim, scale):
    from grading.models import GradingSettings

    GradingSettings.objects.create(course=course, anonymous=True)
    submission = graded(kim, scale)
    [row] = review_rows(question=scale, grader=ta)
    assert row.anonymous and row.label == anonymous_label(question_id=scale.pk, student_id=kim.pk)
    assert "kimminji2024" not in row.token
    code_review_save(submission_id=submission.pk, grader=ta, checked=[])
    [row] = review_rows(question=scale, grader=ta)
    assert not row.anonymous and "kimminji2024" in row.label


@pytest.mark.parametrize("item", ['{text: {ko: "가", en: "a"}, points: 0}', '{text: "only one language", points: 1}', '"not a mapping"'])
def test_a_code_rubric_item_needs_both_languages_and_non_zero_points(tmp_path, item):
    import shutil

    from grader.errors import BundleError
    from tests.platform.grading.review_helpers import REVIEW

    bundle = tmp_path / "review"
    shutil.copytree(REVIEW, bundle)
    spec = bundle / "questions" / "scale" / "question.yaml"
    text = spec.read_text(encoding="utf-8").split("rubric:")[0]
    spec.write_text(text + f"rubric:\n  - {item}\n", encoding="utf-8")
    from assessments.loading import read_bundle

    from kinds import get_kind

    source = next(q for q in read_bundle(bundle).questions if q.slug == "scale")
    with pytest.raises(BundleError) as error:
        get_kind("code").validate(source.spec, str(spec))
    assert "rubric[0]" in str(error.value)
    get_kind("code").validate(read_bundle(REVIEW).questions[0].spec, str(REVIEW / "questions" / "scale" / "question.yaml"))
