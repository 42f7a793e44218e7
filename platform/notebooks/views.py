"""Download a code question (or a whole assignment) as a notebook; read code out of an upload."""

from __future__ import annotations

from assessments.selectors import (
    assignment_get_for_member,
    question_get_for_member,
    question_list,
    questions_hidden_until,
)
from core.http import json_endpoint
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from notebooks.build import (
    NotebookFile,
    common_zip_build,
    notebook_build_assignment,
    notebook_build_question,
)
from notebooks.extract import MAX_UPLOAD_BYTES, NotebookRefused, notebook_extract_code

NOTEBOOK_TYPE = "application/x-ipynb+json"
UPLOAD_SLACK = 64 * 1024  # multipart framing around the file


def _lang() -> str:
    return (get_language() or "ko")[:2]


def _attachment(file: NotebookFile, content_type: str) -> HttpResponse:
    response = HttpResponse(file.content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "private, no-store"  # it may hold the student's draft
    return response


def _code_question(request: HttpRequest, question_id: int):  # type: ignore[no-untyped-def]
    question, _enrollment = question_get_for_member(user=request.user, question_id=question_id)
    if not question.is_code:
        raise Http404
    return question


def _may_open(request: HttpRequest, question_id: int) -> bool:
    """The question page's own rule (published, open, an exam's session, a pool's draw)."""
    try:
        question_get_for_member(user=request.user, question_id=question_id)
    except Http404:
        return False
    return True


@require_GET
def question_notebook(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _code_question(request, question_id)
    return _attachment(notebook_build_question(question=question, user=request.user, lang=_lang()), NOTEBOOK_TYPE)


@require_GET
def question_common_zip(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _code_question(request, question_id)
    return _attachment(common_zip_build(question=question), "application/zip")


@require_GET
def assignment_notebook(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    assignment, enrollment = assignment_get_for_member(user=request.user, course_id=course_id, assignment_id=assignment_id)
    if questions_hidden_until(assignment=assignment, enrollment=enrollment) is not None:
        raise Http404
    questions = [question for question in question_list(assignment=assignment)
                 if question.is_code and _may_open(request, question.pk)]
    if not questions:
        raise Http404
    file = notebook_build_assignment(assignment=assignment, questions=questions, user=request.user, lang=_lang())
    return _attachment(file, NOTEBOOK_TYPE)


@json_endpoint("POST")
def extract_endpoint(request: HttpRequest, question_id: int) -> HttpResponse:
    """multipart/form-data with one file ``notebook`` (.ipynb or .py) -> ``{"code", "cells",
    "how", "message"}``; nothing is stored and nothing runs."""
    question = _code_question(request, question_id)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_UPLOAD_BYTES + UPLOAD_SLACK:
        raise NotebookRefused(_("The file is larger than the limit of %(limit)s bytes.")
                              % {"limit": f"{MAX_UPLOAD_BYTES:,}"}, status=413)
    if not request.content_type.startswith("multipart/form-data"):
        raise NotebookRefused(_("Choose a notebook (.ipynb) or Python (.py) file to upload."), status=415)
    upload = request.FILES.get("notebook")
    if upload is None:
        raise NotebookRefused(_("Choose a notebook (.ipynb) or Python (.py) file to upload."), field="notebook")
    name = upload.name or ""
    if not name.lower().endswith((".ipynb", ".py")):
        raise NotebookRefused(_("Only .ipynb and .py files can be read."), field="notebook")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise NotebookRefused(_("The file is larger than the limit of %(limit)s bytes.")
                              % {"limit": f"{MAX_UPLOAD_BYTES:,}"}, status=413)
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    version = question.current_version
    extracted = notebook_extract_code(raw=raw, filename=name, slug=question.slug, template=version.template)
    return JsonResponse({"code": extracted.code, "cells": extracted.cells, "how": extracted.how,
                         "message": extracted.message})
