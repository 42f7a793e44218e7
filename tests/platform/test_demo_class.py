"""``seed_demo --class N``: a realistic class replayed through the real services."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from assessments.models import Assignment
from courses.demo_class import BUGS
from courses.models import Course, Enrollment
from django.core.management import call_command
from django.utils import timezone
from scoring.models import Extension
from submissions.models import QuizAnswer, Submission


def test_the_demo_class_replays_a_term_through_the_real_services(db):
    """One fill (it is the slow part), every property a demo needs, then a second run."""
    out = StringIO()
    call_command("seed_demo", class_size=20, days=5, stdout=out, stderr=StringIO())
    course = Course.objects.get(title="딥러닝 기초 (데모)")
    now = timezone.now()

    # the class joins the demo course, and the summary says what was made
    students = Enrollment.objects.filter(course=course, role="student", user__username__startswith="demo")
    assert students.count() == 20
    assert not students.first().user.has_usable_password()
    assert "Demo class: 20 students" in out.getvalue()

    # quiz answers mix right answers and typical mistakes over the days
    answers = QuizAnswer.objects.filter(question__assignment__course=course)
    assert answers.count() > 20 * 30
    assert 0.4 < answers.filter(correct=True).count() / answers.count() < 0.95
    assert answers.exclude(misconception="").exists()  # a declared misconception was made
    assert answers.filter(needs_manual=True, score__isnull=True).exists()  # the grading queue has work
    assert answers.filter(created_at__lt=now - timedelta(days=3)).exists()
    assert not answers.filter(created_at__gt=now).exists()

    # the quiz assignment was due two days ago: some answers are late and lose 10 % a day
    late = answers.filter(late_days__gt=0, correct=True)
    assert late.exists()
    answer = late.first()
    assert answer.score < answer.fraction * answer.max_score
    quiz = Assignment.objects.get(course=course, slug="cnn-architectures")
    assert quiz.due_at < now and quiz.late_penalty_per_day == 0.1
    assert Extension.objects.filter(assignment=quiz).exists()

    # code attempts range from realistic bugs to solutions, and wait for the workers
    submissions = Submission.objects.filter(question__assignment__course=course).select_related(
        "question__current_version")
    assert submissions.count() > 20
    assert set(submissions.values_list("status", flat=True)) == {"queued"}
    assert any(replace and replace in s.code for s in submissions for _f, replace, _w in BUGS[s.question.slug])
    references = {s.question.current_version.files["reference"] for s in submissions}
    assert submissions.filter(code__in=references).count() >= 2  # the copied pair
    assert submissions.filter(created_at__gt=now - timedelta(minutes=30)).exists()  # today's lab
    assert submissions.order_by("created_at").first().created_at < now - timedelta(hours=12)

    # running it again adds nothing
    before = (QuizAnswer.objects.count(), Submission.objects.count())
    again = StringIO()
    call_command("seed_demo", class_size=20, stdout=again, stderr=StringIO())
    assert (QuizAnswer.objects.count(), Submission.objects.count()) == before
    assert "already filled" in again.getvalue()
