"""Bundle zip import as the attacker: the instructor of course B uploads a bundle whose question.yaml
names files that are not the bundle's own (the server's secret key, course A's private reference),
by absolute path, by '..', through a symlink in the zip, or with NUL / backslash tricks.

The import is refused with an error naming the file and field, and nothing of the target files
appears anywhere: not in the reply, not in course B's stored bundle, its database rows, its
authoring pages, its zip export or its students' question pages. A refused import also leaves the
bundle it would have replaced exactly as it was (files and rows).
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
from assessments.models import Assignment, Question, QuestionVersion
from authoring.storage import bundle_storage_dir
from authoring.zipio import bundle_zip_import
from courses.models import Course, Enrollment
from django.urls import reverse

from tests.platform.authoring.helpers import storage_in
from tests.platform.conftest import MINI, make_user
from tests.platform.hostile_http.helpers import client_for

# Valid Python, as many ``token_urlsafe`` keys are: a template must parse, and this one would.
SECRET_MARK = "SERVER_SECRET_KEY_5d0e27"
PRIVATE_MARK = "COURSE-A-PRIVATE-POOLING-REFERENCE-91b2"
MARKS = (SECRET_MARK, PRIVATE_MARK)
CLIMB = "../" * 40  # more '..' than any folder is deep: lands at "/" from staging and storage alike
SLUG = "mini"  # the attacks replace course B's own bundle: the refusal must leave it as it was


@pytest.fixture(autouse=True)
def storage(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    return storage_in(settings, tmp_path)


@pytest.fixture
def secret_key_file(settings) -> Path:  # type: ignore[no-untyped-def]
    """Where the development secret key lives (platform/config/settings.py)."""
    path = Path(settings.VAR_DIR) / "dev-secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SECRET_MARK + "\n")
    return path


def mini_entries(*, slug: str = "mini", spec_prefix: str = "", reference_extra: str = "") -> dict[str, bytes]:
    entries = {}
    for path in sorted(MINI.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(MINI).as_posix()
        content = path.read_bytes()
        if relative == "bundle.yaml":
            content = content.replace(b"slug: mini", f"slug: {slug}".encode())
        if relative.endswith("question.yaml"):
            content = spec_prefix.encode() + content
        if relative.endswith("reference.py"):
            content += reference_extra.encode()
        entries[f"{slug}/{relative}"] = content
    return entries


def zip_of(entries: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, content)
        for name, target in (symlinks or {}).items():  # how `zip -y` stores a symlink
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


@pytest.fixture
def private_reference(course: Course, instructor) -> Path:  # type: ignore[no-untyped-def]
    """Course A's bundle in course A's storage, with a reference only course A's staff may read."""
    data = zip_of(mini_entries(reference_extra=f"# {PRIVATE_MARK}\n"))
    result = bundle_zip_import(course=course, data=data, replace=False)
    return result.directory / "questions" / "scale" / "reference.py"


@pytest.fixture
def course_b(db) -> Course:  # type: ignore[no-untyped-def]
    return Course.objects.create(slug="b", title="Course B", join_code="COURSEBB")


@pytest.fixture
def attacker(course_b: Course):  # type: ignore[no-untyped-def]
    user = make_user("prof-b")
    Enrollment.objects.create(course=course_b, user=user, role=Enrollment.Role.INSTRUCTOR)
    return user


@pytest.fixture
def student_b(course_b: Course):  # type: ignore[no-untyped-def]
    user = make_user("student-b")
    Enrollment.objects.create(course=course_b, user=user, role=Enrollment.Role.STUDENT)
    return user


@pytest.fixture
def b_mini(course_b: Course, attacker) -> Assignment:  # type: ignore[no-untyped-def]
    """Course B's own, honest ``mini``, imported through the page like any instructor would."""
    response = import_zip(client_for(attacker), course_b, zip_of(mini_entries()), replace=False)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Assignment.objects.get(course=course_b, slug="mini")


def import_zip(client, course: Course, data: bytes, *, replace: bool):  # type: ignore[no-untyped-def]
    upload = io.BytesIO(data)
    upload.name = "bundle.zip"
    form = {"bundle": upload}
    if replace:
        form["replace"] = "on"
    return client.post(reverse("authoring:bundle_import", args=[course.pk]), form)


def stored_files(course: Course) -> dict[str, bytes]:
    """Every file of the course's authoring storage (scratch folders aside)."""
    root = bundle_storage_dir(course=course, slug="x").parent
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".staging" not in path.relative_to(root).parts
    }


def course_rows(course: Course) -> dict[str, object]:
    return {
        "assignments": sorted(Assignment.objects.filter(course=course).values_list(
            "id", "slug", "bundle_dir", "title")),
        "questions": sorted(Question.objects.filter(assignment__course=course).values_list(
            "id", "slug", "current_version_id", "active")),
        "versions": sorted(
            (row[0], row[1], repr(row[2]), repr(row[3]))
            for row in QuestionVersion.objects.filter(question__assignment__course=course).values_list(
                "id", "content_hash", "files", "prompts")),
    }


def assert_no_leak(text: str | bytes, where: str) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    for mark in MARKS:
        assert mark not in text, f"{mark} leaked into {where}"


def assert_course_b_clean(course_b: Course, attacker, student_b) -> None:  # type: ignore[no-untyped-def]
    """Nothing of the targets anywhere course B's staff or students can look."""
    for relative, content in stored_files(course_b).items():
        assert_no_leak(content, f"stored file {relative}")
    for version in QuestionVersion.objects.filter(question__assignment__course=course_b):
        assert_no_leak(repr((version.files, version.prompts, version.spec)), f"version {version.pk}")
    staff, student = client_for(attacker), client_for(student_b)
    pages = [(staff, reverse("authoring:index", args=[course_b.pk]))]
    for assignment in Assignment.objects.filter(course=course_b):
        bundle = {"course_id": course_b.pk, "slug": assignment.slug}
        pages += [(staff, reverse("authoring:bundle", kwargs=bundle)),
                  (staff, reverse("authoring:bundle_export", kwargs=bundle))]
        for question in assignment.questions.all():
            pages += [(staff, reverse("authoring:question", kwargs={**bundle, "question_slug": question.slug})),
                      (student, reverse("assessments:question", args=[question.pk]))]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content
        if url.endswith(".zip"):
            archive = zipfile.ZipFile(io.BytesIO(content))
            content = b"".join(archive.read(name) for name in archive.namelist())
        assert_no_leak(content, url)


def attacks(secret: Path, private: Path) -> dict[str, tuple[dict[str, bytes], dict[str, str], str]]:
    """name -> (zip entries, symlink entries, what the refusal must say)."""
    def naming(template: str, reference: str) -> dict[str, bytes]:
        return mini_entries(slug=SLUG, spec_prefix=f'template: "{template}"\nreference: "{reference}"\n')

    without_code = {name: content for name, content in mini_entries(slug=SLUG).items()
                    if not name.endswith(("template.py", "reference.py"))}
    relative = CLIMB.rstrip("/")
    return {
        "absolute": (naming(str(secret), str(private)), {},
                     "questions/scale/question.yaml: template: "),
        "dotdot": (naming(CLIMB + str(secret).lstrip("/"), CLIMB + str(private).lstrip("/")), {},
                   "questions/scale/question.yaml: template: "),
        "symlink": (without_code, {f"{SLUG}/questions/scale/template.py": str(secret),
                                   f"{SLUG}/questions/scale/reference.py": str(private)},
                    "symbolic links are not allowed"),
        "nul": (naming(f"template.py\\0/{relative}{secret}", f"reference.py\\0/{relative}{private}"), {},
                "backslashes and NUL are not allowed"),
        "backslash": (naming("..\\\\" * 40 + str(secret).lstrip("/").replace("/", "\\\\"),
                             "..\\\\" * 40 + str(private).lstrip("/").replace("/", "\\\\")), {},
                      "backslashes and NUL are not allowed"),
    }


ATTACKS = ["absolute", "dotdot", "symlink", "nul", "backslash"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_bundle_naming_files_outside_itself_is_refused_and_leaks_nothing(
    attack, course_b, attacker, student_b, b_mini, secret_key_file, private_reference,
):
    entries, symlinks, refusal = attacks(secret_key_file, private_reference)[attack]
    files_before, rows_before = stored_files(course_b), course_rows(course_b)

    response = import_zip(client_for(attacker), course_b, zip_of(entries, symlinks=symlinks), replace=True)

    assert response.status_code == 400
    page = response.content.decode()
    assert refusal in page.replace("&#x27;", "'").replace("&quot;", '"'), page[:3000]
    assert_no_leak(page, "the import reply")
    assert stored_files(course_b) == files_before
    assert course_rows(course_b) == rows_before
    assert_course_b_clean(course_b, attacker, student_b)


@pytest.mark.parametrize("attack", ["absolute", "dotdot"])
def test_a_new_bundle_naming_outside_files_creates_nothing(
    attack, course_b, attacker, student_b, secret_key_file, private_reference,
):
    entries, _, refusal = attacks(secret_key_file, private_reference)[attack]
    entries = {name.replace("mini/", "stolen/", 1): content.replace(b"slug: mini", b"slug: stolen")
               for name, content in entries.items()}

    response = import_zip(client_for(attacker), course_b, zip_of(entries), replace=False)

    assert response.status_code == 400 and refusal in response.content.decode().replace("&#x27;", "'")
    assert not Assignment.objects.filter(course=course_b).exists()
    assert stored_files(course_b) == {}
    assert_course_b_clean(course_b, attacker, student_b)


def test_a_refused_reimport_leaves_the_stored_bundle_and_rows_unchanged(course_b, attacker, student_b, b_mini):
    """Staging and storage once resolved '..' differently: this name finds template.py in the
    staging folder, so it passed validation there, replaced the stored bundle, and only then failed
    in storage. Nothing may be written unless the whole bundle is valid."""
    files_before, rows_before = stored_files(course_b), course_rows(course_b)
    entries = mini_entries(spec_prefix='template: "../../../bundle/questions/scale/template.py"\n')

    response = import_zip(client_for(attacker), course_b, zip_of(entries), replace=True)

    assert response.status_code == 400
    assert "questions/scale/question.yaml: template: " in response.content.decode().replace("&#x27;", "'")
    assert stored_files(course_b) == files_before
    assert course_rows(course_b) == rows_before
    page = client_for(student_b).get(reverse("assessments:question", args=[b_mini.questions.get().pk]))
    assert page.status_code == 200 and "def scale" in page.content.decode()
