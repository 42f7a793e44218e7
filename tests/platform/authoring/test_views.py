"""Authoring pages and endpoints: who may use them, and the flows an instructor goes through."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from assessments.models import Assignment, Question
from authoring.storage import bundle_storage_dir
from courses.models import Course, Enrollment
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.platform.authoring.helpers import numeric_draft, storage_in
from tests.platform.conftest import CORRECT_SCALE, make_user


@pytest.fixture(autouse=True)
def storage(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    return storage_in(settings, tmp_path)


def client_for(user, lang: str = "en") -> Client:  # type: ignore[no-untyped-def]
    """Pages in English unless asked otherwise, so assertions read like the code."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


@pytest.fixture
def ta(course):  # type: ignore[no-untyped-def]
    user = make_user("ta")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.TA)
    return user


@pytest.fixture
def other_instructor(db):  # type: ignore[no-untyped-def]
    """Teaches another course: staff somewhere, a stranger here."""
    other = Course.objects.create(slug="other", title="다른 강좌", join_code="OTHER234")
    user = make_user("elsewhere")
    Enrollment.objects.create(course=other, user=user, role=Enrollment.Role.INSTRUCTOR)
    return user


def question_post(draft, **extra) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {
        "slug": draft.slug, "kind": draft.kind, "title_ko": draft.title["ko"], "title_en": draft.title["en"],
        "points": str(draft.points), "prompt_ko": draft.prompts["ko"], "prompt_en": draft.prompts["en"],
        "spec_yaml": draft.spec_yaml,
    }
    for name, content in draft.files.items():
        data[f"{name}_code"] = content
    data.update(extra)
    return data


def create_bundle(client: Client, course, slug: str = "practice"):  # type: ignore[no-untyped-def]
    return client.post(reverse("authoring:bundle_new", args=[course.pk]), {
        "slug": slug, "title_ko": "연습", "title_en": "Practice", "description_ko": "", "description_en": "",
    })


def all_urls(course, assignment_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    bundle = {"course_id": course.pk, "slug": "quiz"}
    return [
        ("get", reverse("authoring:index", args=[course.pk])),
        ("post", reverse("authoring:bundle_new", args=[course.pk])),
        ("post", reverse("authoring:bundle_import", args=[course.pk])),
        ("post", reverse("authoring:preview", args=[course.pk])),
        ("post", reverse("authoring:bundle_copy", args=[course.pk, assignment_id])),
        ("get", reverse("authoring:bundle", kwargs=bundle)),
        ("post", reverse("authoring:bundle_publish", kwargs=bundle)),
        ("get", reverse("authoring:bundle_export", kwargs=bundle)),
        ("post", reverse("authoring:bundle_discard", kwargs=bundle)),
        ("get", reverse("authoring:question_new", kwargs=bundle)),
        ("post", reverse("authoring:question_run", kwargs=bundle)),
        ("post", reverse("authoring:question_quiz_try", kwargs=bundle)),
        ("get", reverse("authoring:question", kwargs={**bundle, "question_slug": "pick-one"})),
        ("post", reverse("authoring:question_remove", kwargs={**bundle, "question_slug": "pick-one"})),
        ("post", reverse("authoring:question_move", kwargs={**bundle, "question_slug": "pick-one"})),
    ]


@pytest.mark.parametrize(("who", "status"), [("student", 404), ("other_instructor", 404), ("ta", 403)])
def test_only_staff_with_the_grant_get_in(request, course, quiz_assignment, who, status):
    client = client_for(request.getfixturevalue(who))
    for method, url in all_urls(course, quiz_assignment.pk):
        assert getattr(client, method)(url).status_code == status, url
    assert not (request.getfixturevalue("storage") / "dl").exists()


def test_anonymous_visitors_are_sent_to_log_in(course):
    response = Client().get(reverse("authoring:index", args=[course.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_ta_with_the_grant_may_author(course, ta, quiz_assignment):
    Enrollment.objects.filter(user=ta).update(may_edit_assignments=True)
    client = client_for(ta)
    assert client.get(reverse("authoring:index", args=[course.pk])).status_code == 200
    response = client.post(reverse("authoring:bundle_copy", args=[course.pk, quiz_assignment.pk]))
    assert response.status_code == 302
    assert client.get(reverse("authoring:bundle", args=[course.pk, "quiz"])).status_code == 200


def test_the_course_page_links_to_authoring_only_for_granted_staff(course, instructor, ta):
    link = reverse("authoring:index", args=[course.pk])
    assert link in client_for(instructor).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert link not in client_for(ta).get(reverse("courses:detail", args=[course.pk])).content.decode()


def test_index_says_which_bundles_are_read_only(course, instructor, quiz_assignment):
    page = client_for(instructor).get(reverse("authoring:index", args=[course.pk])).content.decode()
    assert "repository (read-only)" in page and "Edit (copy into this course)" in page
    korean = client_for(instructor, "ko").get(reverse("authoring:index", args=[course.pk])).content.decode()
    assert "저장소 (읽기 전용)" in korean and "편집 (이 강좌로 복사)" in korean


def test_create_add_question_publish_then_a_student_sees_it(course, instructor, student):
    client = client_for(instructor)
    response = create_bundle(client, course)
    assert response.status_code == 302 and response["Location"] == reverse("authoring:bundle", args=[course.pk, "practice"])
    new_question = reverse("authoring:question_new", args=[course.pk, "practice"])
    assert client.get(new_question + "?kind=numeric").status_code == 200
    assert client.get(new_question + "?kind=nope").status_code == 404
    response = client.post(new_question, question_post(numeric_draft()))
    assert response.status_code == 302
    bundle_page = client.get(reverse("authoring:bundle", args=[course.pk, "practice"])).content.decode()
    assert "new, not published" in bundle_page
    assert not Assignment.objects.filter(slug="practice").exists()  # nothing public before publishing

    client.post(reverse("authoring:bundle_publish", args=[course.pk, "practice"]))
    question = Question.objects.get(assignment__slug="practice", slug="area")
    page = client_for(student).get(reverse("assessments:question", args=[question.pk])).content.decode()
    assert "$W \\times H$" in page


def test_form_errors_are_shown_next_to_the_field_and_keep_the_input(course, instructor):
    client = client_for(instructor)
    create_bundle(client, course)
    draft = numeric_draft()
    draft.spec_yaml = 'answer: "W *"\nvariables: {W: {min: 1, max: 2}}\n'
    response = client.post(reverse("authoring:question_new", args=[course.pk, "practice"]), question_post(draft))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["spec_yaml"][0].startswith("questions/area/question.yaml: answer:")
    assert 'answer: &quot;W *&quot;' in response.content.decode()


def test_duplicate_bundle_slug_is_a_form_error(course, instructor):
    client = client_for(instructor)
    create_bundle(client, course)
    response = create_bundle(client, course)
    assert response.status_code == 400 and "already" in response.context["new_form"].errors["slug"][0]


def test_editing_a_question_keeps_its_slug_and_detects_conflicts(course, instructor):
    client = client_for(instructor)
    create_bundle(client, course)
    client.post(reverse("authoring:question_new", args=[course.pk, "practice"]), question_post(numeric_draft()))
    url = reverse("authoring:question", args=[course.pk, "practice", "area"])
    page = client.get(url)
    revision = page.context["form"]["revision"].value()
    data = question_post(numeric_draft(answer="H * W"), slug="renamed", revision=revision)
    assert client.post(url, data).status_code == 302
    assert (client.post(url, data).context["form"].non_field_errors()[0]).startswith("someone saved")


def test_preview_endpoint_renders_markdown_and_variables(course, instructor):
    response = client_for(instructor).post(
        reverse("authoring:preview", args=[course.pk]),
        data=json.dumps({"text": "# 제목\n$x^2$ {{N}}", "kind": "numeric",
                         "spec_yaml": "variables: {N: {min: 7, max: 7}}\nanswer: N\n"}),
        content_type="application/json")
    html = response.json()["html"]
    assert "<h1>제목</h1>" in html and "$x^2$" in html and " 7" in html


def test_run_and_try_endpoints_grade_the_draft(course, instructor, ta, mini_assignment, inprocess, workers,
                                               django_capture_on_commit_callbacks):
    client = client_for(instructor)
    client.post(reverse("authoring:bundle_copy", args=[course.pk, mini_assignment.pk]))
    form = client.get(reverse("authoring:question", args=[course.pk, "mini", "scale"])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    run = reverse("authoring:question_run", args=[course.pk, "mini"])
    workers.paused = True  # the answer comes before any worker has graded: 202 and where to ask
    started = client.post(run, {**data, "action": "reference"})
    assert started.status_code == 202 and started.json()["status"] == "queued" and not started.json()["final"]
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(run, {**data, "action": "reference"})
    from authoring.worker import authoring_run_grade

    assert authoring_run_grade(run_id=started.json()["run"], worker="w/1") == "done"
    reference = client.get(started.json()["status_url"]).json()
    assert reference["final"] and reference["verdict"] == "passed" and len(reference["checks"]) == 3
    assert "The reference passes every check." in reference["html"]
    workers.paused = False
    with django_capture_on_commit_callbacks(execute=True):
        tried = client.post(run, {**data, "action": "try",
                                  "student_code": CORRECT_SCALE.replace("x * k", "x - k")}).json()
    tried = client.get(tried["status_url"]).json()
    assert tried["verdict"] != "passed" and "hidden-check" in tried["html"]
    # another course's staff, a student, or a TA without the grant: never another's run
    assert client_for(ta).get(started.json()["status_url"]).status_code in (403, 404)
    broken = client.post(run, {**data, "probes_code": "def scale(:"}).json()
    assert broken["error"].startswith("questions/scale/probes.py: line 1") and broken["field"] == "probes_code"


def test_quiz_try_endpoint(course, instructor):
    client = client_for(instructor)
    create_bundle(client, course)
    data = question_post(numeric_draft(answer="3 + 4"), slug="")
    url = reverse("authoring:question_quiz_try", args=[course.pk, "practice"])
    assert client.post(url, {**data, "value": "7"}).json()["correct"] is True
    assert client.post(url, {**data, "value": "8"}).json()["correct"] is False


def test_export_and_import_through_the_pages(course, instructor, quiz_assignment):
    client = client_for(instructor)
    response = client.get(reverse("authoring:bundle_export", args=[course.pk, "quiz"]))
    assert response["Content-Type"] == "application/zip"
    assert "quiz/bundle.yaml" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    upload = io.BytesIO(response.content)
    upload.name = "quiz.zip"
    refused = client.post(reverse("authoring:bundle_import", args=[course.pk]), {"bundle": upload})
    assert refused.status_code == 400 and "replace" in refused.context["import_form"].errors["replace"][0]
    upload.seek(0)
    done = client.post(reverse("authoring:bundle_import", args=[course.pk]), {"bundle": upload, "replace": "on"})
    assert done.status_code == 302
    assert Assignment.objects.get(slug="quiz").questions.get().current_version.number == 1


def test_import_errors_are_shown_on_the_page(course, instructor):
    upload = io.BytesIO(b"not a zip")
    upload.name = "x.zip"
    response = client_for(instructor).post(reverse("authoring:bundle_import", args=[course.pk]), {"bundle": upload})
    assert response.status_code == 400 and "not a zip file" in response.content.decode()


def test_slugs_the_url_allows_but_bundles_do_not_are_404(course, instructor):
    response = client_for(instructor).get(reverse("authoring:bundle", args=[course.pk, "Not_A_Bundle"]))
    assert response.status_code == 404


def test_a_draft_can_be_discarded_until_the_course_uses_it(course, instructor, storage):
    client = client_for(instructor)
    create_bundle(client, course)
    client.post(reverse("authoring:question_new", args=[course.pk, "practice"]), question_post(numeric_draft()))
    client.post(reverse("authoring:bundle_publish", args=[course.pk, "practice"]))
    discard = reverse("authoring:bundle_discard", args=[course.pk, "practice"])
    assert client.post(discard).status_code == 302
    assert (storage / "dl" / "practice" / "bundle.yaml").is_file()  # published: kept

    create_bundle(client, course, "scratch")
    client.post(reverse("authoring:bundle_discard", args=[course.pk, "scratch"]))
    assert not (storage / "dl" / "scratch").exists()


def test_runs_are_rate_limited(course, instructor, mini_assignment, inprocess, workers, monkeypatch):
    from authoring import views

    monkeypatch.setattr(views, "RUNS_PER_MINUTE", 1)
    client = client_for(instructor)
    client.post(reverse("authoring:bundle_copy", args=[course.pk, mini_assignment.pk]))
    form = client.get(reverse("authoring:question", args=[course.pk, "mini", "scale"])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    run = reverse("authoring:question_run", args=[course.pk, "mini"])
    assert client.post(run, {**data, "action": "reference"}).status_code == 202
    assert client.post(run, {**data, "action": "reference"}).status_code == 429


@pytest.mark.parametrize(("kind", "marker"), [
    ("numeric", 'name="value"'), ("multiple_choice", 'name="choice"'), ("short_text", 'name="text"'),
    ("code", 'id="run-reference"'),
])
def test_the_new_question_page_of_every_kind_offers_a_try(course, instructor, kind, marker):
    client = client_for(instructor)
    create_bundle(client, course)
    page = client.get(reverse("authoring:question_new", args=[course.pk, "practice"]) + f"?kind={kind}")
    html = page.content.decode()
    assert page.status_code == 200 and marker in html
    assert 'id="authoring-config"' in html and "build/authoring.js" in html
    assert 'class="markdown prompt-preview"' in html


def test_the_editor_never_shows_a_file_from_outside_the_bundle(course, instructor, mini_assignment, tmp_path):
    """A stored copy whose question.yaml names a server file (written before the rule, or by hand):
    the editor opens it with that field empty and says what is wrong, like the loader would."""
    secret = tmp_path / "dev-secret-key"
    secret.write_text("SERVER_SECRET_KEY_0c4d\n")
    client = client_for(instructor)
    client.post(reverse("authoring:bundle_copy", args=[course.pk, mini_assignment.pk]))
    spec = bundle_storage_dir(course=course, slug="mini") / "questions" / "scale" / "question.yaml"
    spec.write_text(f'template: "{secret}"\n' + spec.read_text())
    page = client.get(reverse("authoring:question", args=[course.pk, "mini", "scale"]))
    assert page.status_code == 200 and page.context["form"]["template_code"].value() == ""
    assert "SERVER_SECRET_KEY" not in page.content.decode()
    bundle_page = client.get(reverse("authoring:bundle", args=[course.pk, "mini"])).content.decode()
    assert "SERVER_SECRET_KEY" not in bundle_page and "questions/scale/question.yaml: template:" in bundle_page
    assert "absolute paths are not allowed" in bundle_page
