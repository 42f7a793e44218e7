"""JSON endpoints of the code question page (docs/WEB-CONTRACT.md). Thin: parse, one service, reply."""

from __future__ import annotations

from assessments.selectors import (
    AssignmentNotOpen,
    MemberQuestion,
    QuestionLocked,
    question_access_for_member,
)
from core.http import json_body, json_endpoint
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from submissions.feedback import reveals_feedback, review_html
from submissions.http import SESSION_ENDED, idempotency_key_from
from submissions.presenters import submission_status_payload
from submissions.selectors import submission_get_for_viewer, submission_view_get
from submissions.services.drafts import draft_save
from submissions.services.errors import SubmitRefused
from submissions.services.submit import submission_create


def _code_question(request: HttpRequest, question_id: int) -> MemberQuestion:
    try:
        # Not the version's texts and files: these endpoints need only its id.
        access = question_access_for_member(user=request.user, question_id=question_id, with_version=False)
    except AssignmentNotOpen:
        raise SubmitRefused(_("This assignment is not open yet."), status=403) from None
    except QuestionLocked as locked:  # an exam outside the student's running session
        raise SubmitRefused(locked.message, status=403) from None
    if not access.question.is_code:
        raise SubmitRefused(_("This question does not take code submissions."), status=400)
    return access


@json_endpoint("POST", session_ended=SESSION_ENDED)
def draft_endpoint(request: HttpRequest, question_id: int) -> JsonResponse:
    question = _code_question(request, question_id).question
    data = json_body(request)
    draft = draft_save(user=request.user, question=question, code=data.get("code"))
    return JsonResponse({"saved_at": draft.saved_at.isoformat()})


@json_endpoint("POST", session_ended=SESSION_ENDED)
def submit_endpoint(request: HttpRequest, question_id: int) -> JsonResponse:
    access = _code_question(request, question_id)
    data = json_body(request)
    receipt = submission_create(
        user=request.user, question=access.question, code=data.get("code"),
        idempotency_key=idempotency_key_from(data), lang=(get_language() or "ko")[:2], admitted=access,
    )
    submission = receipt.submission
    return JsonResponse(
        {
            "id": submission.pk,
            "status": submission.status,
            "status_url": reverse("submissions:status", args=[submission.pk]),
            "message": receipt.message,
        },
        status=202 if receipt.created else 200,
    )


@json_endpoint("GET", session_ended=SESSION_ENDED)
def status_endpoint(request: HttpRequest, submission_id: int) -> JsonResponse:
    viewed = submission_view_get(user=request.user, submission_id=submission_id)
    return JsonResponse(submission_status_payload(viewed))


@json_endpoint("GET", session_ended=SESSION_ENDED)
def code_endpoint(request: HttpRequest, submission_id: int) -> JsonResponse:
    submission, staff = submission_get_for_viewer(user=request.user, submission_id=submission_id)
    score = submission.score if reveals_feedback(submission, viewer_is_staff=staff) else None
    return JsonResponse({"code": submission.code, "created_at": submission.created_at.isoformat(), "score": score,
                         "review_html": review_html(submission, viewer_is_staff=staff)})
