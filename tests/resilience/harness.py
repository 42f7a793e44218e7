"""What every fault-injection test does around its fault: a course with the chapter 7 bundle, a
burst of mixed submissions (and, with ``add_other_jobs``, the other sandbox job kinds in the same
queue: regrade items and authoring runs), waiting (with the beat's job sweep) until they settle
while watching the status API, and the invariants checked afterwards."""

from __future__ import annotations

import itertools
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assessments.loading import bundle_load
from assessments.models import Question
from authoring.jobs import AUTHORING_RUNS
from authoring.models import AuthoringRun
from core.jobs import job_enqueue, jobs_sweep_all
from courses.models import Course, Enrollment
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from scoring.models import RegradeItem, ScoreChange
from scoring.regrade.start import regrade_preview_start
from submissions.models import Submission
from submissions.services.submit import submission_create

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "grader"
# Attacks that end quickly (no CPU/wall-limit waits): the burst stays a burst.
QUICK_HOSTILE = ("env_secrets", "read_etc_shadow", "kill_parent", "net_tcp_connect", "escape_namespaces",
                 "os_exit_at_import", "syntax_error")
SLOW_SECONDS = 2.0  # long enough to be caught mid-grading, well inside the 10 s wall limit


def _read(folder: Path, names: tuple[str, ...] | None = None) -> list[str]:
    files = sorted(folder.glob("*.py")) if names is None else [folder / f"{name}.py" for name in names]
    return [path.read_text(encoding="utf-8") for path in files]


CORRECT = _read(SAMPLES / "ch07" / "solutions" / "convolution")
BUGGY = _read(SAMPLES / "ch07" / "buggy" / "convolution")
HOSTILE = _read(SAMPLES / "hostile" / "submissions", QUICK_HOSTILE)
SLOW_CORRECT = f"import time\ntime.sleep({SLOW_SECONDS})\n" + CORRECT[0]


@dataclass
class Course7:
    question: Question
    students: list
    staff: Client  # logged in as the instructor: may read every submission's status
    course: Course
    instructor: object


def course_with_convolution(students: int = 6) -> Course7:
    course = Course.objects.create(slug="res", title="Resilience")
    bundle_load(path=ROOT / "assignments" / "ch07-cnn", course=course)
    question = course.assignments.get(slug="ch07-cnn").questions.get(slug="convolution")
    users = get_user_model()
    people = []
    for number in range(students):
        user = users.objects.create_user(username=f"res-student-{number}", password="x")
        Enrollment.objects.create(course=course, user=user)
        people.append(user)
    instructor = users.objects.create_user(username="res-prof", password="x")
    Enrollment.objects.create(course=course, user=instructor, role=Enrollment.Role.INSTRUCTOR)
    staff = Client()
    staff.force_login(instructor)
    return Course7(question=question, students=people, staff=staff, course=course, instructor=instructor)


@dataclass
class Burst:
    kinds: dict[int, str] = field(default_factory=dict)  # submission id -> correct/slow/buggy/hostile
    messages: dict[int, str] = field(default_factory=dict)  # what the submit reply told the student
    # The other job kinds (add_other_jobs): id -> correct/slow, and the rows a regrade re-grades.
    regrade_items: dict[int, str] = field(default_factory=dict)
    authoring_runs: dict[int, str] = field(default_factory=dict)
    regraded_submissions: list[int] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return sorted(self.kinds)


def submit_burst(course: Course7, *, count: int, slow: int = 0, burst: Burst | None = None) -> Burst:
    """``slow`` slow-but-correct submissions first (so a fault finds them mid-grading), then a
    mix of correct, buggy and hostile code, round-robin over the students."""
    burst = burst or Burst()
    mix = itertools.cycle([("correct", code) for code in CORRECT] + [("buggy", code) for code in BUGGY[:4]]
                          + [("hostile", code) for code in HOSTILE[:2]])
    plan = [("slow", SLOW_CORRECT)] * slow + [next(mix) for _ in range(count - slow)]
    students = itertools.cycle(course.students)
    for kind, code in plan:
        receipt = submission_create(user=next(students), question=course.question, code=code,
                                    idempotency_key=f"res-{uuid.uuid4().hex}")
        burst.kinds[receipt.submission.pk] = kind
        burst.messages[receipt.submission.pk] = receipt.message
    return burst


def add_other_jobs(course: Course7, burst: Burst, *, count: int = 3) -> None:
    """``count`` regrade items and ``count`` authoring runs, the first of each slow: the job kinds
    that share the sandbox workers with submissions (``core.jobs``), caught by the same faults."""
    version = course.question.current_version
    plan = [("slow", SLOW_CORRECT)] + [("correct", CORRECT[n % len(CORRECT)]) for n in range(count - 1)]
    students = itertools.cycle(course.students)
    for number, (_kind, code) in enumerate(plan):  # stored rows as a worker leaves them
        row = Submission.objects.create(
            user=next(students), question=course.question, version=version, idempotency_key=f"res-{uuid.uuid4().hex}",
            code=code, seed=number, attempt=100 + number, status=Submission.Status.GRADED, score=0.0,
            raw_score=0.0, max_score=course.question.points,
            results={"status": "failed", "score": 0.0, "max_score": 1.0, "checks": []},
        )
        burst.regraded_submissions.append(row.pk)
    run = regrade_preview_start(question=course.question, actor=course.instructor)
    kinds = dict(zip(burst.regraded_submissions, (kind for kind, _ in plan), strict=True))
    burst.regrade_items.update({item.pk: kinds[item.submission_id] for item in run.items.all()})
    source = version.as_source()
    stored = {"slug": source.slug, "kind": source.kind, "spec": source.spec, "prompts": source.prompts,
              "files": source.files, "content_hash": source.content_hash}
    for kind, code in plan:
        authoring_run = AuthoringRun.objects.create(
            course=course.course, created_by=course.instructor, bundle_slug="ch07-cnn",
            action=AuthoringRun.Action.TRY, source=stored, code=code, lang="en",
        )
        job_enqueue(AUTHORING_RUNS, authoring_run.pk)
        burst.authoring_runs[authoring_run.pk] = kind


def _other_jobs_final(burst: Burst) -> bool:
    items = RegradeItem.objects.filter(id__in=list(burst.regrade_items), status__in=["pending", "running"])
    runs = AuthoringRun.objects.filter(id__in=list(burst.authoring_runs), status__in=["queued", "running"])
    return not items.exists() and not runs.exists()


def statuses(ids: list[int]) -> Counter[str]:
    return Counter(Submission.objects.filter(id__in=ids).values_list("status", flat=True))


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(interval)


@dataclass
class Watch:
    """Every status the API reported while the test waited."""

    seen: Counter[str] = field(default_factory=Counter)

    def poll(self, course: Course7, ids: list[int]) -> None:
        for submission_id in ids:
            response = course.staff.get(f"/api/submissions/{submission_id}")
            assert response.status_code == 200, response.content
            self.seen[response.json()["status"]] += 1


def settle(course: Course7, burst: Burst, *, timeout: float = 90, watch: Watch | None = None) -> Watch:
    """Wait until every submission is final, running the sweeper each second (beat's job) and
    polling the status API (what the students' browsers see)."""
    watch = watch or Watch()
    deadline = time.monotonic() + timeout
    last_sweep = 0.0
    while True:
        counts = statuses(burst.ids)
        if counts["graded"] + counts["error"] == len(burst.ids) and _other_jobs_final(burst):
            return watch
        assert time.monotonic() < deadline, f"not settled after {timeout}s: {dict(counts)}"
        if time.monotonic() - last_sweep > 1:
            jobs_sweep_all()
            last_sweep = time.monotonic()
        watch.poll(course, burst.ids)
        time.sleep(0.2)


def assert_recovered(course: Course7, burst: Burst, watch: Watch) -> None:
    """0 lost, 0 graded twice, 0 stuck, no attempt charged for the infrastructure's failure, and
    the status API never claimed an error."""
    rows = {row.pk: row for row in
            Submission.objects.filter(question=course.question).exclude(id__in=burst.regraded_submissions)}
    assert set(rows) == set(burst.ids), "a submission was lost or appeared from nowhere"
    stuck = {pk: row.status for pk, row in rows.items() if row.status != "graded"}
    assert stuck == {}, f"not graded: {stuck}"
    per_submission = dict(
        ScoreChange.objects.filter(submission_id__in=burst.ids, source=ScoreChange.Source.GRADED)
        .values_list("submission_id").annotate(n=Count("id"))
    )
    twice = {pk: n for pk, n in per_submission.items() if n != 1}
    assert twice == {} and len(per_submission) == len(burst.ids), f"graded-record counts: {twice}"
    for pk, kind in burst.kinds.items():
        row = rows[pk]
        if kind in ("correct", "slow"):
            # A job cut short by the fault must have been re-run, not scored as the student's crash.
            assert row.verdict == "passed" and row.score == row.max_score, (pk, kind, row.verdict, row.results)
        else:
            assert row.verdict != "passed", (pk, kind)
        assert row.counts_as_attempt, (pk, row.verdict)  # graded for real: the attempt is a real one
    assert set(watch.seen) <= {"queued", "running", "graded"}, f"the status API said {dict(watch.seen)}"
    _assert_other_jobs_recovered(burst)


def _assert_other_jobs_recovered(burst: Burst) -> None:
    """Every regrade item and authoring run done, with the verdict of its code: a job cut short by
    the fault was re-run, not scored as the student's crash."""
    for item in RegradeItem.objects.filter(id__in=list(burst.regrade_items)):
        assert item.status == "done", (item.pk, item.status, item.error)
        assert item.new_results["status"] == "passed", (item.pk, burst.regrade_items[item.pk], item.new_results)
    for run in AuthoringRun.objects.filter(id__in=list(burst.authoring_runs)):
        assert run.status == "done", (run.pk, run.status, run.error_message)
        assert run.result["status"] == "passed", (run.pk, burst.authoring_runs[run.pk], run.result)
