"""Authoring pages: each view checks the grant, parses its input, calls one service, renders.

Permission everywhere: ``course_get_for_staff(permission="edit_assignments")`` — instructors, and
TAs only when granted (non-members 404, members without the grant 403).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from assessments.models import Assignment
from core.http import json_body, json_endpoint, json_error
from core.ratelimit import rate_limit_exceeded
from courses.models import Course
from courses.selectors import course_get_for_staff
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from authoring import runs, selectors, services, zipio
from authoring.drafts import KIND_LABELS, folder_revision, question_draft_new, question_draft_read
from authoring.errors import AuthoringError
from authoring.forms import BundleMetaForm, QuestionForm, ZipImportForm
from authoring.models import AuthoringRun
from authoring.storage import bundle_storage_dir, is_in_storage
from grader.bundle import SLUG
from kinds import get_kind

# Runs grade synchronously in the web process; a stuck key or an impatient author must not be
# able to tie up the sandbox slots students' submissions need.
RUNS_PER_MINUTE = 20


def _course(request: HttpRequest, course_id: int) -> Course:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id,
                                               permission="edit_assignments")
    return course


def _lang() -> str:
    return (get_language() or "ko")[:2]


def _authored_or_404(course: Course, slug: str) -> None:
    if not selectors.bundle_is_authored(course=course, slug=slug):
        raise Http404


def _show_error(form: Any, error: AuthoringError) -> None:
    """Put the message next to the input it is about (or at the top of the form)."""
    field = error.form_field if error.form_field in getattr(form, "fields", {}) else None
    form.add_error(field, error.message)


@require_GET
def index(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id)
    return render(request, "authoring/index.html", {
        "course": course, "rows": selectors.bundle_rows(course=course),
        "new_form": BundleMetaForm(), "import_form": ZipImportForm(),
    })


@require_POST
def bundle_new(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id)
    form = BundleMetaForm(request.POST)
    if form.is_valid():
        slug = form.cleaned_data["slug"].strip()
        try:
            services.bundle_create(course=course, slug=slug, title=form.texts("title"),
                                   description=form.texts("description"))
        except AuthoringError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Bundle created. Add its first question."))
            return redirect("authoring:bundle", course_id=course.pk, slug=slug)
    return render(request, "authoring/index.html", {
        "course": course, "rows": selectors.bundle_rows(course=course), "new_form": form,
        "import_form": ZipImportForm(),
    }, status=400)


@require_POST
def bundle_copy(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    course = _course(request, course_id)
    assignment = get_object_or_404(Assignment, pk=assignment_id, course=course)
    try:
        services.bundle_copy_for_editing(course=course, assignment=assignment)
    except AuthoringError as error:
        messages.error(request, error.message)
        return redirect("authoring:index", course_id=course.pk)
    return redirect("authoring:bundle", course_id=course.pk, slug=assignment.slug)


@require_http_methods(["GET", "POST"])
def bundle_detail(request: HttpRequest, course_id: int, slug: str) -> HttpResponse:
    course = _course(request, course_id)
    _authored_or_404(course, slug)
    spec = services.bundle_spec_read(course=course, slug=slug)
    if request.method == "POST":
        form = BundleMetaForm(request.POST)
        if form.is_valid():
            try:
                services.bundle_meta_update(course=course, slug=slug, title=form.texts("title"),
                                            description=form.texts("description"))
            except AuthoringError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("Saved. Publish to show the change to students."))
                return redirect("authoring:bundle", course_id=course.pk, slug=slug)
    else:
        title, description = spec.get("title") or {}, spec.get("description") or {}
        form = BundleMetaForm(initial={
            "slug": slug, **{f"title_{k}": v for k, v in title.items() if isinstance(title, dict)},
            **{f"description_{k}": v for k, v in description.items() if isinstance(description, dict)},
        })
    order = [str(q) for q in spec.get("questions") or []]
    assignment = Assignment.objects.filter(course=course, slug=slug).first()
    return render(request, "authoring/bundle.html", {
        "course": course, "slug": slug, "form": form,
        "questions": selectors.question_rows(course=course, slug=slug, order=order),
        "assignment": assignment,
        "follows_elsewhere": assignment is not None and not is_in_storage(course=course, path=assignment.bundle_dir),
        "kinds": KIND_LABELS.items(),
    }, status=400 if request.method == "POST" else 200)


@require_POST
def bundle_publish(request: HttpRequest, course_id: int, slug: str) -> HttpResponse:
    course = _course(request, course_id)
    _authored_or_404(course, slug)
    try:
        report = services.bundle_publish(course=course, slug=slug)
    except AuthoringError as error:
        messages.error(request, _("Not published: %(error)s") % {"error": error.message})
    else:
        changes = "; ".join(line.strip() for line in report.changes) or _("nothing changed")
        messages.success(request, _("Published: %(changes)s") % {"changes": changes})
    return redirect("authoring:bundle", course_id=course.pk, slug=slug)


@require_POST
def bundle_discard(request: HttpRequest, course_id: int, slug: str) -> HttpResponse:
    course = _course(request, course_id)
    _authored_or_404(course, slug)
    try:
        services.bundle_discard(course=course, slug=slug)
    except AuthoringError as error:
        messages.error(request, error.message)
        return redirect("authoring:bundle", course_id=course.pk, slug=slug)
    messages.success(request, _("The draft was discarded."))
    return redirect("authoring:index", course_id=course.pk)


@require_GET
def bundle_export(request: HttpRequest, course_id: int, slug: str) -> HttpResponse:
    course = _course(request, course_id)
    assignment = Assignment.objects.filter(course=course, slug=slug).first()
    if assignment is not None:
        directory = selectors.assignment_source_dir(course=course, assignment=assignment)
    else:
        directory = bundle_storage_dir(course=course, slug=slug) if selectors.bundle_is_authored(
            course=course, slug=slug) else None
    if directory is None:
        raise Http404
    response = HttpResponse(zipio.bundle_zip_export(directory=directory), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{slug}.zip"'
    return response


@require_POST
def bundle_import(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id)
    form = ZipImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = zipio.bundle_zip_import(course=course, data=form.cleaned_data["bundle"].read(),
                                             replace=form.cleaned_data["replace"])
        except AuthoringError as error:
            _show_error(form, error)
        else:
            changes = "; ".join(line.strip() for line in result.report.changes) or _("nothing changed")
            messages.success(request, _("Imported %(slug)s: %(changes)s") % {"slug": result.slug, "changes": changes})
            return redirect("authoring:bundle", course_id=course.pk, slug=result.slug)
    return render(request, "authoring/index.html", {
        "course": course, "rows": selectors.bundle_rows(course=course), "new_form": BundleMetaForm(),
        "import_form": form,
    }, status=400)


def _question_page(request: HttpRequest, course: Course, slug: str, form: QuestionForm, *,
                   create: bool, question_slug: str = "", status: int = 200) -> HttpResponse:
    kind = form["kind"].value()
    spec_yaml = form["spec_yaml"].value() or ""
    previews = {}
    for lang in ("ko", "en"):
        try:
            previews[lang] = runs.prompt_preview(text=form[f"prompt_{lang}"].value() or "", kind=kind,
                                                 spec_yaml=spec_yaml)
        except AuthoringError as error:
            previews[lang] = error.message
    quiz_q = None
    # The kind decides: "worker" kinds (code) get the reference run and the code editor; the
    # others are tried with their own answer form, graded on the spot like students' answers.
    graded_by_workers = kind in KIND_LABELS and get_kind(kind).grading == "worker"
    if kind in KIND_LABELS and not graded_by_workers:
        quiz_q = runs.quiz_public_spec(spec_yaml=spec_yaml, kind=kind, lang=_lang())
    return render(request, "authoring/question.html", {
        "course": course, "slug": slug, "form": form, "create": create, "question_slug": question_slug,
        "kind": kind, "kind_label": KIND_LABELS.get(kind, kind), "is_code": graded_by_workers,
        "file_fields": form.file_fields(kind) if kind in KIND_LABELS else [],
        "preview_ko": previews["ko"], "preview_en": previews["en"],
        "quiz_q": quiz_q, "quiz_form_template": f"{kind}/form.html",
        "question": selectors.question_rows(course=course, slug=slug, order=[question_slug])[0]
        if question_slug else None,
        "config": {
            "previewUrl": _url("authoring:preview", course_id=course.pk),
            "runUrl": _url("authoring:question_run", course_id=course.pk, slug=slug),
            "quizTryUrl": _url("authoring:question_quiz_try", course_id=course.pk, slug=slug),
            "kind": kind,
            "i18n": {"running": _("Running…"), "queued": _("Waiting for a worker…"), "failed": _("Could not run"),
                     "stillQueued": _("No worker has taken the run yet; check that the workers are running.")},
        },
    }, status=status)


def _url(name: str, **kwargs: Any) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest, course_id: int, slug: str) -> HttpResponse:
    course = _course(request, course_id)
    _authored_or_404(course, slug)
    if request.method == "GET":
        kind = request.GET.get("kind", "numeric")
        if kind not in KIND_LABELS:
            raise Http404
        return _question_page(request, course, slug, QuestionForm.from_draft(question_draft_new(kind=kind)),
                              create=True)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            draft = form.draft()
            services.question_save(course=course, bundle_slug=slug, draft=draft, revision=None, create=True)
        except AuthoringError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Question saved. Publish the bundle to show it to students."))
            return redirect("authoring:question", course_id=course.pk, slug=slug, question_slug=draft.slug)
    return _question_page(request, course, slug, form, create=True, status=400)


@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, course_id: int, slug: str, question_slug: str) -> HttpResponse:
    course = _course(request, course_id)
    _authored_or_404(course, slug)
    folder = bundle_storage_dir(course=course, slug=slug) / "questions" / question_slug
    if not folder.is_dir():
        raise Http404
    if request.method == "GET":
        draft = question_draft_read(question_dir=folder)
        return _question_page(request, course, slug, QuestionForm.from_draft(draft, folder_revision(folder)),
                              create=False, question_slug=question_slug)
    # The slug is fixed once created (renaming would retire the question and start a new one).
    form = QuestionForm({**request.POST.dict(), "slug": question_slug})
    if form.is_valid():
        try:
            services.question_save(course=course, bundle_slug=slug, draft=form.draft(),
                                   revision=form.cleaned_data.get("revision") or None, create=False)
        except AuthoringError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Question saved. Publish the bundle to show it to students."))
            return redirect("authoring:question", course_id=course.pk, slug=slug, question_slug=question_slug)
    return _question_page(request, course, slug, form, create=False, question_slug=question_slug, status=400)


@require_POST
def question_remove(request: HttpRequest, course_id: int, slug: str, question_slug: str) -> HttpResponse:
    course = _course(request, course_id)
    _authored_or_404(course, slug)
    try:
        services.question_remove(course=course, bundle_slug=slug, question_slug=question_slug)
    except AuthoringError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Question removed from the bundle. Publishing retires it; its "
                                    "submissions are kept."))
    return redirect("authoring:bundle", course_id=course.pk, slug=slug)


@require_POST
def question_move(request: HttpRequest, course_id: int, slug: str, question_slug: str) -> HttpResponse:
    course = _course(request, course_id)
    _authored_or_404(course, slug)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.question_move(course=course, bundle_slug=slug, question_slug=question_slug, offset=offset)
    except AuthoringError as error:
        messages.error(request, error.message)
    return redirect("authoring:bundle", course_id=course.pk, slug=slug)


# ---- JSON endpoints used by authoring.js -------------------------------------------------------


def _json_error(message: str, status: int = 400, field: str | None = None) -> JsonResponse:
    """``question_run``'s answers, in the shape of ``core.http.json_endpoint``'s."""
    return JsonResponse({"error": message, "field": field}, status=status)


@json_endpoint("POST")
def preview(request: HttpRequest, course_id: int) -> JsonResponse:
    _course(request, course_id)
    body = json_body(request)
    html = runs.prompt_preview(text=str(body.get("text") or ""), kind=str(body.get("kind") or ""),
                               spec_yaml=str(body.get("spec_yaml") or ""))
    return JsonResponse({"html": str(html)})


def _posted_draft(request: HttpRequest) -> QuestionForm:
    form = QuestionForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.items()))
        raise AuthoringError(f"{first[0]}: {' '.join(first[1])}", form_field=first[0])
    if not form.cleaned_data.get("slug"):
        form.cleaned_data["slug"] = "new-question"  # not chosen yet: trying it needs no real name
    if not SLUG.match(form.cleaned_data["slug"]):
        raise AuthoringError("slug: use lowercase letters, digits and hyphens", form_field="slug")
    return form


@json_endpoint("POST")  # the form's fields, not JSON: an AuthoringError answers with its field
def question_run(request: HttpRequest, course_id: int, slug: str) -> JsonResponse:
    """``action=reference``: the reference against the checks; ``action=try``: ``student_code``.
    Stores the draft as a run for the workers (the web never runs code) and answers 202 with the
    URL the page polls."""
    course = _course(request, course_id)
    _authored_or_404(course, slug)
    if rate_limit_exceeded(user_id=request.user.pk, bucket="authoring-run", limit=RUNS_PER_MINUTE):
        return json_error(_("Too many runs in a minute; wait a moment."), status=429)
    draft = _posted_draft(request).draft()
    action = AuthoringRun.Action.TRY if request.POST.get("action") == "try" else AuthoringRun.Action.REFERENCE
    run = runs.authoring_run_start(
        course=course, user=request.user, bundle_slug=slug, draft=draft, action=action,
        code=request.POST.get("student_code", "").replace("\r\n", "\n"), lang=_lang(),
    )
    return JsonResponse(_run_json(request, course, run), status=202)


@json_endpoint("GET")
def run_status(request: HttpRequest, course_id: int, run_id: int) -> JsonResponse:
    course = _course(request, course_id)
    try:
        run = runs.authoring_run_get(course=course, run_id=run_id)
    except AuthoringRun.DoesNotExist:
        raise Http404 from None
    return JsonResponse(_run_json(request, course, run))


def _run_json(request: HttpRequest, course: Course, run: AuthoringRun) -> dict[str, Any]:
    view = runs.authoring_run_view(run)
    data: dict[str, Any] = {
        "run": run.pk, "status": view.status, "final": view.final, "error": view.error,
        "status_url": reverse("authoring:run_status", kwargs={"course_id": course.pk, "run_id": run.pk}),
    }
    shown = view.shown
    if shown is not None:
        submission = SimpleNamespace(status="graded", score=shown["score"], max_score=shown["max_score"], late_days=0)
        data.update(
            verdict=shown["status"], score=shown["score"], max_score=shown["max_score"],
            checks=[{"name": check["name"], "passed": check["passed"]} for check in shown["checks"]],
            html=render_to_string("authoring/_run_result.html", {
                "student_view": view.student_view, "all_passed": shown["status"] == "passed",
                "feedback": render_to_string("submissions/feedback.html", {
                    "submission": submission, "result": shown, "checks": shown["checks"],
                    "revealed": not view.student_view,
                }),
            }, request=request),
        )
    return data


@json_endpoint("POST")  # the form's fields, not JSON: an AuthoringError answers with its field
def question_quiz_try(request: HttpRequest, course_id: int, slug: str) -> JsonResponse:
    course = _course(request, course_id)
    _authored_or_404(course, slug)
    draft = _posted_draft(request).draft()
    answer = {key: values for key, values in request.POST.lists() if key in ("value", "unit", "choice", "text")}
    outcome = runs.quiz_try(draft=draft, data=answer, lang=_lang())
    return JsonResponse({"correct": outcome.correct, "fraction": outcome.fraction,
                         "feedback": outcome.feedback, "needs_manual": outcome.needs_manual})
