"""The gradebook pages: the matrix, one student's record, CSV export and the import of manual
scores. All for course staff only (``course_get_for_staff``: others get 404)."""

from __future__ import annotations

from courses.selectors import course_get_for_staff
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gradebook.export import gradebook_csv, gradebook_matrix_csv
from gradebook.forms import FilterForm, ImportForm
from gradebook.imports import (
    ImportRefused,
    csv_bytes_decode,
    score_import_apply,
    score_import_preview,
)
from gradebook.matrix import gradebook_matrix
from gradebook.page import gradebook_page, late_days_attach
from gradebook.selectors import gradebook_table
from gradebook.student import student_record


def _filter_form(request: HttpRequest, course) -> FilterForm:  # type: ignore[no-untyped-def]
    choices = [(a.pk, a.display_title) for a in course.assignments.all()]
    return FilterForm(request.GET or None, assignments=choices)


def gradebook(request: HttpRequest, course_id: int) -> HttpResponse:
    """The overview (course total, then one column per assignment) or, with ``?assignment=<id>``,
    that assignment's questions; sorted by ``?sort=<column key>&dir=asc|desc`` (gradebook/page.py)."""
    course, enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    form = _filter_form(request, course)
    filters = form.filters()
    drilled = filters.assignment_id is not None
    matrix = gradebook_matrix(course=course, filters=filters, cells=drilled)  # the overview needs no cells
    page = gradebook_page(
        matrix=matrix, params=request.GET, drilled=drilled,
        labels={"name": _("Student"), "total": _("Total"), "sum": _("Sum")},
    )
    late_days_attach(page=page, course=course)
    export_query = request.GET.copy()
    for name in ("sort", "dir"):
        export_query.pop(name, None)
    return render(request, "gradebook/gradebook.html", {
        "course": course, "enrollment": enrollment, "form": form, "page": page,
        "query": export_query.urlencode(),
    })


def gradebook_export(request: HttpRequest, course_id: int) -> HttpResponse:
    """The per-assignment summary (kept for the scripts that already read it)."""
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    response = HttpResponse(gradebook_csv(table=gradebook_table(course=course)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="grades-{course.slug}.csv"'
    return response


def gradebook_export_questions(request: HttpRequest, course_id: int) -> HttpResponse:
    """Every question, the sums and the total, with the page's filters."""
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    matrix = gradebook_matrix(course=course, filters=_filter_form(request, course).filters())
    response = HttpResponse(gradebook_matrix_csv(matrix=matrix).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gradebook-{course.slug}.csv"'
    return response


def gradebook_student(request: HttpRequest, course_id: int, user_id: int) -> HttpResponse:
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id)
    return render(request, "gradebook/student.html", {
        "course": course, "record": student_record(course=course, user_id=user_id),
    })


@require_http_methods(["GET", "POST"])
def gradebook_import(request: HttpRequest, course_id: int) -> HttpResponse:
    """GET: the form. POST step=preview: the changes and errors per line. POST step=apply: write."""
    # Overwriting many scores at once is a regrade: TAs need the grant.
    course, _enrollment = course_get_for_staff(user=request.user, course_id=course_id, permission="regrade")
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"course": course, "form": form, "preview": None, "csv_text": ""}
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data["file"]
            text = csv_bytes_decode(upload.read()) if upload else form.cleaned_data["text"]
            if not text.strip():
                raise ImportRefused(_("Choose a CSV file or paste its lines."))
            if request.POST.get("step") == "apply":
                applied = score_import_apply(course=course, csv_text=text, actor=request.user)
                messages.success(request, _("%(count)d score(s) imported.") % {"count": len(applied.changes)})
                return redirect("gradebook:table", course_id=course.pk)
            context.update(preview=score_import_preview(course=course, csv_text=text), csv_text=text)
        except ImportRefused as refused:
            messages.error(request, refused.message)
    return render(request, "gradebook/import.html", context)
