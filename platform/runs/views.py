"""JSON endpoints of the Run button on the code question page. Thin: parse, one service, reply."""

from __future__ import annotations

from core.http import json_body, json_endpoint
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from submissions.http import SESSION_ENDED

from runs.presenters import run_status_payload
from runs.services import run_create, run_get_for_owner, runnable_question


@json_endpoint("POST", session_ended=SESSION_ENDED)
def run_start_endpoint(request: HttpRequest, question_id: int) -> JsonResponse:
    question = runnable_question(user=request.user, question_id=question_id)
    data = json_body(request)
    run, sent = run_create(user=request.user, question=question, code=data.get("code"),
                           scratch=data.get("scratch"), lang=(get_language() or "ko")[:2])
    message = "" if sent.ok else _("The runner is unavailable right now; your run starts when it is back.")
    return JsonResponse({"id": run.pk, "status": run.status, "status_url": reverse("runs:status", args=[run.pk]),
                         "message": message}, status=202)


@json_endpoint("GET", session_ended=SESSION_ENDED)
def run_status_endpoint(request: HttpRequest, run_id: int) -> JsonResponse:
    run = run_get_for_owner(user=request.user, run_id=run_id)
    response = JsonResponse(run_status_payload(run))
    response["Cache-Control"] = "no-store"
    return response
