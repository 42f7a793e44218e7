"""A realistic class for the demo course (``manage.py seed_demo --class 120``).

It replays a few days of a term through the services a real class goes through, so that the
gradebook, the dashboards, the similarity page, the live view and the manual grading queue have
something to show on a fresh machine:

- ``size`` students (``demo001``, ..., Korean names, no usable password) join the demo course;
- the quiz assignment was due two days ago with a late penalty, and a few students got an
  extension (``extension_grant``); the coding assignment is due in a few days;
- every student has a skill and a pace: they answer a share of the quiz questions over the days,
  right with a probability that follows their skill, otherwise with a typical mistake that the
  question's kind makes up (a distractor, a declared misconception: ``sample_answer``), and retry
  some wrong ones; some answer after the due date (late credit applies);
- code questions get one to four attempts each, from an unfinished template or a realistic bug
  (``BUGS``: a swapped transpose, an off-by-one output size, a flipped filter, average instead of
  max pooling, ...) to a correct solution for the stronger students; two students hand in the
  same code (the similarity page); a lab is under way: a dozen students submitted in the last half
  hour (the live view).

Quiz answers are graded on the spot by their kind (``quiz_answer_record``); code submissions are
stored queued (``submission_record``) and graded by the Celery workers like any other, so their
scores appear as the workers drain the queue. Running it again adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assessments.models import Assignment, Question
from assessments.seeds import student_seed
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from scoring.policies import assignment_policy_update, extension_grant
from scoring.policy import StudentPolicy, policy_for
from submissions.models import QuizAnswer
from submissions.services.quiz import quiz_answer_record
from submissions.services.submit import submission_record

from courses.models import Course, Enrollment
from courses.services import enrollment_set
from kinds import get_kind

USERNAME = "demo{:03d}"
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = ("민준", "서연", "도윤", "하은", "시우", "지우", "주원", "서윤", "지호", "하준", "예은",
         "수아", "건우", "지민", "현우", "채원", "유진", "태윤", "다은", "승현")
LAB_SIZE = 12  # students submitting code in the last half hour
EXTENSIONS = 4  # students of the late assignment with an extension

# Realistic bugs, written as edits of the question's reference solution: (find, replace, what).
# An edit whose text is not in the reference (an author changed it) is skipped.
BUGS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "convolution": (
        ("transpose(0, 3, 1, 2)", "transpose(0, 3, 2, 1)", "output axes swapped"),
        ("// self.stride + 1", "// self.stride", "output size off by one"),
        ("self.W.reshape(FN, -1).T", "self.W[:, :, ::-1, ::-1].reshape(FN, -1).T", "flipped filter"),
        (".transpose(1, 0).reshape(FN, C, FH, FW)", ".reshape(FN, C, FH, FW)", "dW not transposed"),
        ("np.sum(dout, axis=0)", "np.mean(dout, axis=0)", "db averaged instead of summed"),
    ),
    "pooling": (
        ("np.max(col, axis=1)", "np.mean(col, axis=1)", "average instead of max pooling"),
        ("transpose(0, 3, 1, 2)", "transpose(0, 3, 2, 1)", "output axes swapped"),
        ("self.arg_max.flatten()] = dout.flatten()", "0] = dout.flatten()",
         "gradient always sent to the first cell of the window"),
    ),
    "simple-convnet": (
        ("(conv_output_size // 2) * (conv_output_size // 2)", "conv_output_size * conv_output_size",
         "pooling forgotten in the size of W2"),
        ("        layers.reverse()\n", "", "backward through the layers in forward order"),
        ("self.layers['Affine1'].dW, self.layers['Affine1'].db",
         "self.layers['Affine2'].dW, self.layers['Affine2'].db", "gradients of the wrong layer"),
    ),
}


@dataclass
class DemoClassReport:
    students: int = 0
    quiz_answers: int = 0
    submissions: int = 0
    late_answers: int = 0
    extensions: int = 0
    skipped: str = ""  # why nothing was added
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped:
            return f"Demo class: {self.skipped}"
        return (f"Demo class: {self.students} students, {self.quiz_answers} quiz answers "
                f"({self.late_answers} late), {self.submissions} code submissions queued for the "
                f"workers, {self.extensions} extensions")


@dataclass
class Student:
    user: AbstractBaseUser
    skill: float  # chance of a right answer / a working solution
    diligence: float  # share of the questions attempted
    late: bool  # works on the quiz assignment after its due date


def demo_class_fill(*, course: Course, instructor: AbstractBaseUser, size: int, days: int = 5,
                    seed: int = 7) -> DemoClassReport:
    """Fill ``course`` with a class of ``size`` students who worked for ``days`` days."""
    report = DemoClassReport()
    users = get_user_model()
    if users.objects.filter(username=USERNAME.format(1)).exists():
        report.skipped = "already filled (demo001 exists); nothing added"
        return report
    assignments = list(Assignment.objects.filter(course=course).order_by("position", "pk"))
    code_assignments = [a for a in assignments if a.questions.filter(kind="code", active=True).exists()]
    quiz_assignments = [a for a in assignments if a not in code_assignments]
    if not assignments:
        report.skipped = "the demo course has no assignments; nothing added"
        return report
    rng = random.Random(seed)
    now = timezone.now()
    start = now - timedelta(days=days)
    _set_dates(quiz_assignments, code_assignments, actor=instructor, now=now, days=days)
    students = _students(rng, course=course, size=size)
    report.students = len(students)
    report.extensions = _extensions(rng, students, quiz_assignments, actor=instructor)
    lab = set(rng.sample(range(len(students)), min(LAB_SIZE, len(students))))
    for index, student in enumerate(students):
        with transaction.atomic():
            for assignment in assignments:
                policy = policy_for(user_id=student.user.pk, assignment=assignment)
                window = _window(assignment, student, start=start, now=now)
                for question in _questions(assignment):
                    if question.is_code:
                        times = _code_times(rng, window, lab=index in lab, now=now)
                        report.submissions += _code_attempts(rng, student, question, policy, times,
                                                             copy_of=_COPIED if index in (0, 1) else None)
                    elif rng.random() < student.diligence:
                        report.quiz_answers += _quiz_attempts(rng, student, question, policy, window)
    report.late_answers = QuizAnswer.objects.filter(question__assignment__course=course, late_days__gt=0).count()
    return report


_COPIED = "convolution"  # the two first students hand in the same code for this question


def _set_dates(quiz: list[Assignment], code: list[Assignment], *, actor: AbstractBaseUser,
               now: datetime, days: int) -> None:
    """The quiz assignments were due two days ago (10 % late penalty a day); the coding ones are
    due in three days. Dates an instructor already set are kept."""
    for assignment in quiz:
        if assignment.due_at is None:
            assignment_policy_update(assignment=assignment, actor=actor, note="demo class", values={
                "due_at": now - timedelta(days=min(2, days - 1)), "late_penalty_per_day": 0.1})
    for assignment in code:
        if assignment.due_at is None:
            assignment_policy_update(assignment=assignment, actor=actor, note="demo class",
                                     values={"due_at": now + timedelta(days=3)})
    for assignment in [*quiz, *code]:
        assignment.refresh_from_db()


def _students(rng: random.Random, *, course: Course, size: int) -> list[Student]:
    users = get_user_model()
    students = []
    for number in range(1, size + 1):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        user = users.objects.create(username=USERNAME.format(number), first_name=name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        enrollment_set(course=course, user=user, role=Enrollment.Role.STUDENT)
        students.append(Student(user=user, skill=rng.betavariate(5, 2), diligence=rng.uniform(0.5, 1.0),
                                late=rng.random() < 0.12))
    return students


def _extensions(rng: random.Random, students: list[Student], quiz: list[Assignment], *,
                actor: AbstractBaseUser) -> int:
    """A few late students were ill: their quiz assignment is due four days after the others."""
    granted = 0
    late = [s for s in students if s.late]
    for assignment in quiz:
        if assignment.due_at is None:
            continue
        for student in rng.sample(late, min(EXTENSIONS, len(late))):
            extension_grant(assignment=assignment, student_id=student.user.pk,
                            due_at=assignment.due_at + timedelta(days=4), closes_at=None,
                            extra_attempts=0, reason="병결 (진단서 제출) / ill, note provided", actor=actor)
            granted += 1
    return granted


def _questions(assignment: Assignment) -> Iterator[Question]:
    yield from assignment.questions.filter(active=True, current_version__isnull=False).select_related(
        "current_version", "assignment").order_by("position", "pk")


def _window(assignment: Assignment, student: Student, *, start: datetime, now: datetime) -> tuple[datetime, datetime]:
    """When this student works on this assignment: before its due date, or after it when late."""
    due = assignment.due_at
    if due is None or due > now:
        return start, now
    if student.late:
        return due + timedelta(hours=1), min(now, due + timedelta(days=1))
    return start, due - timedelta(minutes=5)


def _moment(rng: random.Random, window: tuple[datetime, datetime]) -> datetime:
    """A time in the window, more often near its end (students work towards the deadline)."""
    low, high = window
    return low + (high - low) * rng.betavariate(2, 1)


def _code_times(rng: random.Random, window: tuple[datetime, datetime], *, lab: bool, now: datetime) -> list[datetime]:
    first = _moment(rng, window)
    times = [first + timedelta(minutes=rng.randint(3, 40) * step) for step in range(rng.randint(1, 4))]
    if lab:  # the last attempts fall in today's lab, the last half hour
        times = [now - timedelta(minutes=rng.uniform(1, 29)) for _ in times]
    return sorted(min(t, now) for t in times)


def _quiz_attempts(rng: random.Random, student: Student, question: Question, policy: StudentPolicy,
                   window: tuple[datetime, datetime]) -> int:
    kind = get_kind(question.kind)
    spec = question.current_version.spec
    variables = kind.variant(spec, student_seed(user_id=student.user.pk, question_id=question.pk))
    at = _moment(rng, window)
    given = 0
    for _retry in range(2):
        correct = rng.random() < student.skill
        data = kind.sample_answer(spec, variables, correct=correct, rng=rng, lang="ko")
        if data is None or policy.submit_refusal(at, given, question) is not None:
            break
        answer = kind.parse_answer(data, spec)
        quiz_answer_record(user=student.user, question=question, answer=answer, policy=policy, at=at)
        given += 1
        if correct or rng.random() < 0.4:
            break
        at = min(window[1], at + timedelta(minutes=rng.randint(1, 20)))
    return given


def _code_attempts(rng: random.Random, student: Student, question: Question, policy: StudentPolicy,
                   times: list[datetime], *, copy_of: str | None) -> int:
    slug = question.slug
    if copy_of != slug and rng.random() > student.diligence:
        return 0
    reference = str(question.current_version.files.get("reference", ""))
    template = question.current_version.template
    bugs = [(find, replace) for find, replace, _what in BUGS.get(slug, ()) if find in reference]
    header = f"# {student.user.first_name} ({student.user.get_username()})\n"
    made = 0
    for number, at in enumerate(times, start=1):
        if policy.submit_refusal(at, made, question) is not None:
            break
        last = number == len(times)
        if last and (rng.random() < student.skill or copy_of == slug):
            code = reference if copy_of == slug else _restyled(rng, reference)
        elif number == 1 and rng.random() < 0.25 or not bugs:
            code = template
        else:
            find, replace = rng.choice(bugs)
            code = _restyled(rng, reference.replace(find, replace))
        body = code if copy_of == slug and last else header + code
        submission_record(user=student.user, question=question, code=body, lang="ko", policy=policy,
                          at=at, idempotency_key=f"demo-{student.user.pk}-{question.pk}-{number}")
        made += 1
    return made


def _restyled(rng: random.Random, code: str) -> str:
    """The same program as a student might type it: their own comments and spacing."""
    lines = code.splitlines()
    if rng.random() < 0.5:
        lines = [line for line in lines if not line.strip().startswith("#")]
    if rng.random() < 0.5:
        lines.insert(0, rng.choice(("# 7장 과제", "# TODO: 다시 확인", "# im2col 사용", "# 제출용")))
    return "\n".join(lines) + "\n"

