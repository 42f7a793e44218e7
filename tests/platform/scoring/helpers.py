"""Shared helpers of the scoring tests: new question versions, stored answers at given times."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from assessments.loading import bundle_load
from assessments.models import Question, QuestionVersion
from courses.models import Course, Enrollment
from submissions.models import QuizAnswer, Submission
from submissions.services.grade import submission_grade
from submissions.services.quiz import quiz_answer_create
from submissions.services.submit import submission_create

from tests.platform.conftest import MINI, make_user


def quiz_version_with(question: Question, **changes: Any) -> QuestionVersion:
    """A new current version of a quiz question with spec keys replaced (as a changed bundle
    would create it)."""
    base = question.current_version
    assert base is not None
    spec = {**base.spec, **changes}
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    version = QuestionVersion.objects.create(
        question=question, number=base.number + 1, content_hash=digest, kind=base.kind, spec=spec,
        prompts=base.prompts, files=base.files, source_dir=base.source_dir,
    )
    question.current_version = version
    question.save(update_fields=["current_version"])
    return version


def right_is_wrong(question: Question) -> QuestionVersion:
    """The pick-one question with its answer key flipped: 'wrong' is now the correct choice."""
    spec = question.current_version.spec  # type: ignore[union-attr]
    choices = [{**choice, "correct": not choice["correct"]} for choice in spec["choices"]]
    return quiz_version_with(question, choices=choices)


def mini_with_names(tmp_path: Path, course: Course, names: list[str]) -> Question:
    """Reload the mini bundle with the reference's NAMES changed: a new version of `scale` whose
    'keys' check expects ``names``."""
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy)
    reference = copy / "questions" / "scale" / "reference.py"
    reference.write_text(reference.read_text().replace('NAMES = ["a", "b"]', f"NAMES = {names!r}"))
    bundle_load(path=copy, course=course)
    return Question.objects.get(assignment__course=course, slug="scale")


def answer(user, question: Question, choice: str, *, at: datetime | None = None) -> QuizAnswer:  # type: ignore[no-untyped-def]
    row = quiz_answer_create(user=user, question=question, data={"choice": [choice]}, lang="en")
    if at is not None:
        QuizAnswer.objects.filter(pk=row.pk).update(created_at=at)
        row.refresh_from_db()
    return row


_keys = iter(range(10**6))


def graded_submission(user, question: Question, code: str, *, at: datetime | None = None) -> Submission:  # type: ignore[no-untyped-def]
    """Submit, optionally back-date, and grade in-process (needs the ``inprocess`` fixture)."""
    receipt = submission_create(user=user, question=question, code=code, idempotency_key=f"key-{next(_keys):08d}")
    if at is not None:
        Submission.objects.filter(pk=receipt.submission.pk).update(created_at=at)
    submission_grade(submission_id=receipt.submission.pk, worker="test")
    return Submission.objects.get(pk=receipt.submission.pk)


def enroll(course: Course, username: str, role: str = Enrollment.Role.STUDENT, **grants: bool):  # type: ignore[no-untyped-def]
    user = make_user(username)
    Enrollment.objects.create(course=course, user=user, role=role, **grants)
    return user
