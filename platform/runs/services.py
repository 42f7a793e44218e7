"""Starting a run and keeping the table small. The web process validates and stores the row; a
worker runs it (``runs.worker``). A run is never a submission: no attempt, no score, no history."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from assessments.models import Question
from assessments.seeds import attempt_seed
from assessments.selectors import AssignmentNotOpen, question_get_for_member
from core.jobs import job_enqueue_on_commit
from core.ratelimit import rate_limit_exceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from submissions.models import Submission
from submissions.services.submit import code_accept

from runs.errors import RunRefused
from runs.jobs import CODE_RUNS
from runs.models import CodeRun

MAX_SCRATCH_BYTES = 8 * 1024
RUNS_KEPT_PER_STUDENT = 5  # per student (all questions): older rows are deleted on the next run
RUN_MAX_AGE = timedelta(hours=1)  # older rows are deleted by the beat's purge
RATE_BUCKET = "run"


def run_seed(*, user_id: int, question_id: int, attempt: int) -> int:
    """The inputs of a run: derived from the seed of the student's next graded attempt with a
    "run" salt, so a run never shows the numbers that attempt will be graded on (and, being an
    HMAC, cannot be turned back into them). Stable until the next submission, so repeated runs
    print the same numbers while the student debugs."""
    graded = attempt_seed(user_id=user_id, question_id=question_id, attempt=attempt)
    digest = hmac.new(settings.GRADING_SEED_SECRET.encode(), f"run:{graded}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


def runnable_question(*, user: AbstractBaseUser, question_id: int) -> Question:
    """The question, if this member may run code for it: whenever they may open it (404 for
    strangers, 403 before it opens), and only for code questions."""
    try:
        question, _enrollment = question_get_for_member(user=user, question_id=question_id)
    except AssignmentNotOpen:
        raise RunRefused(_("This assignment is not open yet."), status=403) from None
    if not question.is_code or question.current_version_id is None:
        raise RunRefused(_("Only code questions can be run."), status=400)
    return question


def scratch_accept(scratch: object) -> str:
    if scratch is None:
        return ""
    if not isinstance(scratch, str):
        raise RunRefused(_("The scratch cell must be sent as text."), status=400, field="scratch")
    size = len(scratch.encode("utf-8", errors="surrogatepass"))
    if size > MAX_SCRATCH_BYTES:
        raise RunRefused(
            _("The scratch cell is %(size)s bytes; the limit is %(limit)s bytes.")
            % {"size": f"{size:,}", "limit": f"{MAX_SCRATCH_BYTES:,}"},
            status=413, field="scratch",
        )
    if "\x00" in scratch or any("\ud800" <= ch <= "\udfff" for ch in scratch):
        raise RunRefused(_("The scratch cell contains characters that cannot be run."), status=400, field="scratch")
    return scratch


def run_create(*, user: AbstractBaseUser, question: Question, code: object, scratch: object,
               lang: str = "ko") -> tuple[CodeRun, bool]:
    """Store a run (status queued) and send it to the ``run`` queue after commit. Returns the row
    and whether the broker took it (False: it starts when the sweeper sends it)."""
    text = code_accept(code, allow_empty=True)
    scratch_text = scratch_accept(scratch)
    if not text.strip() and not scratch_text.strip():
        raise RunRefused(_("There is nothing to run: write some code or a line in the scratch cell."))
    if rate_limit_exceeded(user_id=user.pk, bucket=RATE_BUCKET, limit=settings.RUN_RATE_PER_MINUTE):
        raise RunRefused(
            _("You pressed Run %(limit)s times in the last minute. Wait a moment and run again.")
            % {"limit": settings.RUN_RATE_PER_MINUTE},
            status=429,
        )
    attempt = Submission.objects.filter(user=user, question=question).count() + 1
    with transaction.atomic():
        run = CodeRun.objects.create(
            user=user, question=question, version_id=question.current_version_id, code=text,
            scratch=scratch_text, lang=lang[:8],
            seed=run_seed(user_id=user.pk, question_id=question.pk, attempt=attempt),
        )
        sent = job_enqueue_on_commit(CODE_RUNS, [run.pk])
        runs_trim(user_id=user.pk)
    return run, sent


def runs_trim(*, user_id: int) -> int:
    """Keep only the student's last few runs (a newer run replaces what the page shows)."""
    keep = list(CodeRun.objects.filter(user_id=user_id).order_by("-created_at", "-id")
                .values_list("id", flat=True)[:RUNS_KEPT_PER_STUDENT])
    deleted, _rows = CodeRun.objects.filter(user_id=user_id).exclude(id__in=keep).delete()
    return deleted


def runs_purge(*, now: datetime | None = None) -> int:
    """Delete runs older than ``RUN_MAX_AGE`` (beat, ``runs.tasks.purge_runs``)."""
    cutoff = (now or timezone.now()) - RUN_MAX_AGE
    deleted, _rows = CodeRun.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def run_get_for_owner(*, user: AbstractBaseUser, run_id: int) -> CodeRun:
    """Only the student who started a run sees it (404 for anyone else, staff included)."""
    run = CodeRun.objects.filter(pk=run_id, user_id=user.pk).first()
    if run is None:
        raise Http404
    return run
