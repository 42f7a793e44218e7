#!/usr/bin/env python
"""Page benchmark: the staff pages' server time at term scale, in process (no HTTP server).

    .venv/bin/python scripts/bench_pages.py                     # 300 students, 125 questions, 20,000 attempts
    .venv/bin/python scripts/bench_pages.py --students 50 --submissions 2000
    .venv/bin/python scripts/bench_pages.py --json              # one JSON object on stdout (progress on stderr)

What it builds: a fresh SQLite database in a temporary directory (or ``--database-url``, an empty
database), migrated; one course with an instructor, a TA and ``--students`` students; the
``ch07-cnn`` and ``cnn-architectures`` bundles loaded with ``bundle_load`` (131 questions, 3 of them
code); then ``--submissions`` stored attempts written with ``bulk_create``, spread over the students
and the first ``--questions`` questions: graded code submissions (real solution / buggy code from
tests/grader/ch07, a few KB each, with a ``GradeResult.to_dict()``-shaped ``results``) and quiz
answers, each with its ``graded`` ScoreChange row. About 3 % of the attempts fall in the last half
hour, on a handful of questions (today's lab: the live view's columns are the questions touched in
its window), so the live view has something to show. As the workers do after grading
(``submission_followups_send``), each student's latest code attempt is fingerprinted into the cache
the similarity page reads (the time it took is logged; it is worker time, not page time).

Then, with Django's test ``Client`` logged in as the instructor, each staff page is requested
``--repeats`` + 1 times: the first is the cold time, the median of the others the warm time; the
SQL queries of the last request are counted (CaptureQueriesContext). Pages: the gradebook and its
CSV, the assignment dashboard, the question dashboard of the busiest code question, its similarity
page, the live view and its JSON poll.

Target: 500 ms per page (warm median) on 2 cores. Not a test: numbers depend on the machine and on
what else runs on it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLATFORM = ROOT / "platform"
ASSIGNMENTS = ROOT / "assignments"
BUNDLES = ("ch07-cnn", "cnn-architectures")
SAMPLES = ROOT / "tests" / "grader" / "ch07"
TARGET_MS = 500.0
CODE_SHARE = 0.3  # of the attempts: code submissions (3 questions); the rest quiz answers
RECENT_SHARE = 0.03  # of the attempts: in the last 30 minutes (the live view) ...
LAB_QUIZ_QUESTIONS = 6  # ... on the busiest code question and this many quiz questions
PASSWORD = "bench-password"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Django


def bench_environment(directory: Path, database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off, as served) minus TLS, a local-memory cache, no Redis needed."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_CACHE": "locmem",
        "DLGRADE_VAR_DIR": str(directory),
        "DATABASE_URL": database_url,
    }


def django_setup(env: dict[str, str]) -> None:
    for key in [key for key in os.environ if key.startswith(("DJANGO_", "PYTEST_"))]:
        del os.environ[key]
    os.environ.update(env)
    for path in (str(PLATFORM), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


# --------------------------------------------------------------------------------------------
# The term


@dataclass
class Term:
    course_id: int
    instructor_id: int
    assignment_ids: list[int]
    code_question_id: int  # the code question with the most submissions
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@contextlib.contextmanager
def explicit_created_at(*models: Any) -> Iterator[None]:
    """bulk_create keeps the ``created_at`` we give (auto_now_add would stamp them all 'now')."""
    fields = [model._meta.get_field("created_at") for model in models]
    saved = [f.auto_now_add for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in zip(fields, saved, strict=True):
            f.auto_now_add = value


def code_texts() -> dict[str, dict[str, list[str]]]:
    """Per code question slug: correct and buggy sources from the grader's tests (a few KB each)."""
    texts: dict[str, dict[str, list[str]]] = {}
    for folder in sorted((SAMPLES / "solutions").iterdir()):
        slug = folder.name.replace("_", "-")
        texts[slug] = {
            kind: [p.read_text(encoding="utf-8") for p in sorted((SAMPLES / kind / folder.name).glob("*.py"))]
            for kind in ("solutions", "buggy")
        }
    return texts


def student_code(rng: random.Random, base: str, username: str) -> str:
    """The sample as one student would hand it in: a header, renamed locals now and then, a note."""
    code = base
    for old, new in (("out", "result"), ("col", "cols"), ("tmp", "buf"), ("x", "inp")):
        if rng.random() < 0.3:
            code = code.replace(f" {old} =", f" {new} =").replace(f"({old})", f"({new})")
    header = f"# {username}: 과제 제출\n# 실행 환경: numpy\n"
    tail = "\n" if rng.random() < 0.5 else f"\n\n# 메모: 시도 {rng.randint(1, 9)}\n"
    return header + code + tail


def grade_result(rng: random.Random, checks: list[dict[str, Any]], correct: bool, seed: int, slug: str) -> dict[str, Any]:
    """A ``GradeResult.to_dict()``: passed checks for correct code, some failures for buggy code."""
    outcomes = []
    for index, spec in enumerate(checks):
        points = float(spec.get("points", 1))
        passed = correct or rng.random() < 0.5 - 0.03 * index
        name = str(spec.get("name") or f"check {index + 1}")
        outcomes.append({
            "name": name, "passed": passed, "score": points if passed else 0.0, "max_score": points,
            "message": ("out: ok (max abs error 3.2e-09)" if passed
                        else f"out: values differ at index [0, {index % 3}, 1, 2]: got 0.{rng.randint(100, 999)}, "
                             f"expected 1.{rng.randint(100, 999)} (max abs error 1.{rng.randint(0, 99)})"),
            "hidden": bool(spec.get("hidden", False)),
            "hint": "" if passed else "출력 크기를 확인하세요.",
            "details": {} if passed else {"shape": [2, 3, 5, 5], "expected_shape": [2, 3, 5, 5]},
        })
    score = sum(c["score"] for c in outcomes)
    max_score = sum(c["max_score"] for c in outcomes) or 1.0
    status = "passed" if score >= max_score else ("partial" if score > 0 else "failed")
    return {"status": status, "score": score, "max_score": max_score, "checks": outcomes,
            "output": "" if correct else "shape check: (2, 3, 5, 5)\n", "seed": seed, "question": slug,
            "message": "", "timings": {"setup": 0.041, "run": round(rng.uniform(0.05, 0.4), 3)}}


def quiz_answer_data(rng: random.Random, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    if kind == "multiple_choice":
        from kinds.multiple_choice import choice_id

        ids = [choice_id(c) for c in spec.get("choices", [])] or ["a"]
        return {"choices": [rng.choice(ids)]}
    if kind == "numeric":
        value = round(rng.uniform(1, 500), 2)
        return {"value": value, "text": str(value)}
    return {"text": rng.choice(["가중치 공유로 파라미터 수가 줄어든다", "padding 때문", "stride 가 2 이므로 절반"])}


def fill(*, students: int = 300, questions: int = 125, submissions: int = 20000, seed: int = 7) -> Term:
    """One course, its staff and students, the two bundles and ``submissions`` attempts (bulk)."""
    from assessments.loading import bundle_load
    from assessments.models import Question
    from courses.models import Course, Enrollment
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from scoring.models import ScoreChange
    from submissions.models import QuizAnswer, Submission

    started = time.monotonic()
    rng = random.Random(seed)
    users = get_user_model()
    hashed = make_password(PASSWORD)  # one hash for all
    course = Course.objects.create(slug=f"bench-{secrets.token_hex(3)}", title="딥러닝 (벤치마크)")
    for position, bundle in enumerate(BUNDLES):
        bundle_load(path=ASSIGNMENTS / bundle, course=course, position=position)
    prefix = f"{course.slug}-"
    staff = [users(username=prefix + "instructor", password=hashed, is_staff=True),
             users(username=prefix + "ta", password=hashed)]
    names = [f"{prefix}s{number:04d}" for number in range(students)]
    with transaction.atomic():
        users.objects.bulk_create(staff + [users(username=name, password=hashed) for name in names])
        by_name = dict(users.objects.filter(username__startswith=prefix).values_list("username", "id"))
        Enrollment.objects.bulk_create(
            [Enrollment(course=course, user_id=by_name[prefix + "instructor"], role=Enrollment.Role.INSTRUCTOR),
             Enrollment(course=course, user_id=by_name[prefix + "ta"], role=Enrollment.Role.TA)]
            + [Enrollment(course=course, user_id=by_name[name], role=Enrollment.Role.STUDENT) for name in names]
        )
    student_ids = [by_name[name] for name in names]
    all_questions = list(
        Question.objects.filter(assignment__course=course).select_related("current_version", "assignment")
        .order_by("assignment__position", "position", "id")
    )
    code = [q for q in all_questions if q.kind == "code"]
    quiz = [q for q in all_questions if q.kind != "code"][: max(0, questions - len(code))]
    texts = code_texts()
    now = timezone.now()
    term_start = now - timedelta(days=56)

    # Today's lab: the recent attempts go to a handful of questions, as in a real session (the
    # live view's columns are the questions touched in its window).
    lab = {q.pk for q in code[:1] + quiz[:LAB_QUIZ_QUESTIONS]}

    def when(question: Any) -> Any:
        if question.pk in lab and rng.random() < RECENT_SHARE * len(code + quiz) / max(1, len(lab)):
            return now - timedelta(seconds=rng.uniform(0, 30 * 60))
        return term_start + timedelta(seconds=rng.uniform(0, 55 * 86400))

    attempts: dict[tuple[int, int], int] = defaultdict(int)
    # Busier questions first: the first code question (convolution) gets the most submissions.
    code_weights = [0.5, 0.3, 0.2][: len(code)]
    n_code = round(submissions * CODE_SHARE) if code else 0
    subs: list[Submission] = []
    for index in range(n_code):
        question = rng.choices(code, weights=code_weights)[0]
        user_id = rng.choice(student_ids)
        attempts[(user_id, question.pk)] += 1
        samples = texts.get(question.slug) or {"solutions": ["x = 1\n"], "buggy": ["x = 2\n"]}
        correct = rng.random() < 0.55 or not samples["buggy"]
        base = rng.choice(samples["solutions"] if correct else samples["buggy"])
        at = when(question)
        student_seed = rng.getrandbits(48)
        result = grade_result(rng, question.current_version.spec.get("checks", []), correct, student_seed,
                              question.slug)
        raw = result["score"]
        score = round(raw / result["max_score"] * question.points, 4)
        subs.append(Submission(
            user_id=user_id, question=question, version_id=question.current_version_id,
            idempotency_key=f"bench-{index:08d}", code=student_code(rng, base, str(user_id)), seed=student_seed,
            attempt=attempts[(user_id, question.pk)], status=Submission.Status.GRADED, created_at=at,
            enqueued_at=at, claimed_at=at, graded_at=at + timedelta(seconds=rng.uniform(0.3, 3)),
            worker="bench@localhost", raw_score=raw, score=score, max_score=question.points,
            verdict=result["status"], results=result, output=result["output"], timings=result["timings"],
        ))
    answers: list[QuizAnswer] = []
    for _ in range(submissions - n_code if quiz else 0):
        question = rng.choice(quiz)
        user_id = rng.choice(student_ids)
        attempts[(user_id, question.pk)] += 1
        manual = question.kind == "short_text" and rng.random() < 0.3
        correct = not manual and rng.random() < 0.65
        fraction = 1.0 if correct else 0.0
        answers.append(QuizAnswer(
            user_id=user_id, question=question, version_id=question.current_version_id,
            answer=quiz_answer_data(rng, question.kind, question.current_version.spec), seed=rng.getrandbits(48),
            attempt=attempts[(user_id, question.pk)], created_at=when(question), fraction=fraction, correct=correct,
            needs_manual=manual, score=None if manual else fraction * question.points, max_score=question.points,
            misconception="" if correct or manual or rng.random() < 0.6 else "stride 를 빼먹음",
        ))
    with transaction.atomic(), explicit_created_at(Submission, QuizAnswer, ScoreChange):
        Submission.objects.bulk_create(subs, batch_size=500)
        QuizAnswer.objects.bulk_create(answers, batch_size=1000)
        # bulk_create sets primary keys on SQLite and Postgres; fall back to reading them back.
        if subs and subs[0].pk is None:
            subs = list(Submission.objects.filter(question__assignment__course=course).only("id", "user_id", "question_id", "score", "created_at"))
        if answers and answers[0].pk is None:
            answers = list(QuizAnswer.objects.filter(question__assignment__course=course).only("id", "user_id", "question_id", "score", "created_at"))
        changes = [ScoreChange(student_id=s.user_id, question_id=s.question_id, submission_id=s.pk, new_score=s.score,
                               source=ScoreChange.Source.GRADED, created_at=s.created_at) for s in subs]
        changes += [ScoreChange(student_id=a.user_id, question_id=a.question_id, quiz_answer_id=a.pk,
                                new_score=a.score, source=ScoreChange.Source.GRADED, created_at=a.created_at)
                    for a in answers if a.score is not None]
        ScoreChange.objects.bulk_create(changes, batch_size=1000)
    per_code = defaultdict(int)
    for s in subs:
        per_code[s.question_id] += 1
    # What the workers did after grading each of these (submission_followups_send): fingerprints
    # for the similarity page, in the cache it reads. Only each student's latest attempt matters
    # to the page (every graded attempt was the latest when it was graded).
    from insights.similarity_report import similarity_fingerprints_warm

    latest: dict[tuple[int, int], tuple[Any, int]] = {}
    for s in subs:
        key = (s.user_id, s.question_id)
        if key not in latest or (s.created_at, s.pk) > latest[key]:
            latest[key] = (s.created_at, s.pk)
    warm_started = time.monotonic()
    similarity_fingerprints_warm(submission_ids=[pk for _at, pk in latest.values()])
    log(f"workers' fingerprints of {len(latest)} latest submissions in {time.monotonic() - warm_started:.1f} s")
    busiest = max(per_code, key=per_code.__getitem__) if per_code else (code[0].pk if code else all_questions[0].pk)
    return Term(
        course_id=course.pk, instructor_id=by_name[prefix + "instructor"],
        assignment_ids=sorted({q.assignment_id for q in all_questions}, key=lambda a: a),
        code_question_id=busiest,
        counts={"students": students, "questions": len(code) + len(quiz), "code_submissions": len(subs),
                "quiz_answers": len(answers), "score_changes": len(changes),
                "busiest_code_question_submissions": per_code.get(busiest, 0)},
        seconds=round(time.monotonic() - started, 1),
    )


# --------------------------------------------------------------------------------------------
# Measuring


def pages(term: Term) -> list[tuple[str, str]]:
    from django.urls import reverse

    course = term.course_id
    return [
        ("gradebook", reverse("gradebook:table", args=[course])),
        ("gradebook.csv", reverse("gradebook:csv", args=[course])),
        ("assignment dashboard", reverse("insights:assignment", args=[course, term.assignment_ids[0]])),
        ("question dashboard (code)", reverse("insights:question", args=[course, term.code_question_id])),
        ("similarity (code)", reverse("insights:similarity", args=[course, term.code_question_id])),
        ("live", reverse("insights:live", args=[course])),
        ("live.json", reverse("insights:live_data", args=[course])),
    ]


def measure(term: Term, repeats: int = 3) -> list[dict[str, Any]]:
    """Each page ``repeats`` + 1 times as the instructor: cold, warm median, queries, status."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(pk=term.instructor_id))
    rows = []
    for name, url in pages(term):
        times: list[float] = []
        statuses: set[int] = set()
        queries = 0
        for _ in range(repeats + 1):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                elapsed = time.perf_counter() - started
            times.append(elapsed * 1000)
            statuses.add(response.status_code)
            queries = len(captured.captured_queries)
        median = statistics.median(times[1:]) if len(times) > 1 else times[0]
        rows.append({"page": name, "url": url, "median_ms": round(median, 1), "cold_ms": round(times[0], 1),
                     "queries": queries, "status": sorted(statuses)[0] if len(statuses) == 1 else sorted(statuses),
                     "meets_target": median <= TARGET_MS})
        log(f"{name}: {median:.0f} ms (cold {times[0]:.0f} ms), {queries} queries, HTTP {sorted(statuses)}")
    return rows


def human(result: dict[str, Any]) -> str:
    counts = result["term"]
    lines = [
        f"term: {counts['students']} students, {counts['questions']} questions, "
        f"{counts['code_submissions']} code submissions + {counts['quiz_answers']} quiz answers "
        f"({result['database']}, filled in {result['fill_seconds']} s); "
        f"similarity over {counts['busiest_code_question_submissions']} submissions",
        "",
        f"{'page':<28} {'median ms':>10} {'cold ms':>9} {'queries':>8} {'status':>7}  target {TARGET_MS:.0f} ms",
    ]
    for row in result["pages"]:
        lines.append(f"{row['page']:<28} {row['median_ms']:>10.1f} {row['cold_ms']:>9.1f} {row['queries']:>8} "
                     f"{row['status']!s:>7}  {'ok' if row['meets_target'] else 'SLOW'}")
    lines.append(f"\nload average: {result['load_average']}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--questions", type=int, default=125, help="questions attempted (the 3 code ones always)")
    parser.add_argument("--submissions", type=int, default=20000, help="stored attempts, code and quiz")
    parser.add_argument("--repeats", type=int, default=3, help="warm requests per page (after the cold one)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="an empty database to use instead of a fresh SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="dlgrade-bench-pages-"))
    try:
        database_url = args.database_url or f"sqlite:///{directory / 'db.sqlite3'}"
        (directory / "static").mkdir()  # whitenoise warns about a missing STATIC_ROOT
        django_setup(bench_environment(directory, database_url))
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        log(f"migrated {database_url.split(':', 1)[0]} database in {directory}")
        term = fill(students=args.students, questions=args.questions, submissions=args.submissions, seed=args.seed)
        log(f"term filled in {term.seconds} s: {term.counts}")
        rows = measure(term, repeats=args.repeats)
        result = {"config": {k: v for k, v in vars(args).items() if k not in ("json", "keep", "database_url")},
                  "database": database_url.split(":", 1)[0], "term": term.counts, "fill_seconds": term.seconds,
                  "target_ms": TARGET_MS, "pages": rows, "load_average": round(os.getloadavg()[0], 2)}
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
    print(json.dumps(result) if args.json else human(result))
    return 0 if all(row["status"] == 200 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
