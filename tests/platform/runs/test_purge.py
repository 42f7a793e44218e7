"""Runs are short-lived: a student keeps their last few, and the beat deletes anything older than
an hour."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from runs.models import CodeRun
from runs.services import RUNS_KEPT_PER_STUDENT, run_create, runs_purge
from runs.tasks import purge_runs

from tests.platform.conftest import CORRECT_SCALE


def test_a_student_keeps_only_the_last_few_runs(student, fellow, code_question):
    theirs, _ = run_create(user=fellow, question=code_question, code=CORRECT_SCALE, scratch="")
    made = [run_create(user=student, question=code_question, code=CORRECT_SCALE, scratch=str(n))[0].pk
            for n in range(RUNS_KEPT_PER_STUDENT + 3)]
    kept = set(CodeRun.objects.filter(user=student).values_list("pk", flat=True))
    assert kept == set(made[-RUNS_KEPT_PER_STUDENT:])
    assert CodeRun.objects.filter(pk=theirs.pk).exists()


def test_runs_older_than_an_hour_are_purged(student, code_question):
    old, _ = run_create(user=student, question=code_question, code=CORRECT_SCALE, scratch="")
    new, _ = run_create(user=student, question=code_question, code=CORRECT_SCALE, scratch="")
    CodeRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    assert purge_runs() == 1
    assert list(CodeRun.objects.values_list("pk", flat=True)) == [new.pk]
    assert runs_purge(now=timezone.now() + timedelta(hours=2)) == 1


def test_beat_purges_runs():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["purge-runs"]
    assert entry["task"] == "runs.tasks.purge_runs" and entry["schedule"] <= 3600
