"""Bundle zips: export in the assignments/ layout, import with hostile input refused up front."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest
from assessments.models import Assignment, Question
from authoring import zipio
from authoring.errors import AuthoringError
from authoring.storage import bundle_storage_dir
from authoring.zipio import MAX_FILE_BYTES, MAX_FILES, bundle_zip_export, bundle_zip_import
from courses.models import Course

from grader.errors import BundleError
from tests.platform.authoring.helpers import storage_in
from tests.platform.conftest import MINI, QUIZ


@pytest.fixture(autouse=True)
def storage(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    return storage_in(settings, tmp_path)


def zip_of(entries: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name)
            mode = stat.S_IFLNK | 0o777 if name in symlinks else stat.S_IFREG | 0o644
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def quiz_entries(prefix: str = "quiz/") -> dict[str, bytes]:
    return {
        f"{prefix}{path.relative_to(QUIZ).as_posix()}": path.read_bytes()
        for path in sorted(QUIZ.rglob("*")) if path.is_file()
    }


def test_export_is_the_bundle_folder_under_its_slug_and_deterministic():
    data = bundle_zip_export(directory=MINI)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == sorted(names)
    assert "mini/bundle.yaml" in names and "mini/questions/scale/probes.py" in names
    assert not [n for n in names if "__pycache__" in n]
    assert bundle_zip_export(directory=MINI) == data


def test_round_trip_keeps_every_question_content_hash(course, mini_assignment, quiz_assignment):
    other = Course.objects.create(slug="other", title="다른 강좌", join_code="OTHER234")
    for assignment in (mini_assignment, quiz_assignment):
        data = bundle_zip_export(directory=Path(assignment.bundle_dir))
        result = bundle_zip_import(course=other, data=data, replace=False)
        assert result.slug == assignment.slug and result.directory == bundle_storage_dir(course=other, slug=assignment.slug)
        original = {q.slug: q.current_version.content_hash for q in assignment.questions.all()}
        imported = {q.slug: q.current_version.content_hash
                    for q in Question.objects.filter(assignment__course=other, assignment__slug=assignment.slug)}
        assert imported == original


def test_files_at_the_top_of_the_zip_are_accepted_too(course):
    entries = {name.removeprefix("quiz/"): content for name, content in quiz_entries().items()}
    assert bundle_zip_import(course=course, data=zip_of(entries), replace=False).slug == "quiz"


def test_reimporting_needs_replace_and_then_keeps_old_submissions_versions(course, quiz_assignment):
    data = zip_of(quiz_entries())
    with pytest.raises(AuthoringError, match="replace") as raised:
        bundle_zip_import(course=course, data=data, replace=False)
    assert raised.value.form_field == "replace"
    result = bundle_zip_import(course=course, data=data, replace=True)
    assert result.replaced
    assert Assignment.objects.get(course=course, slug="quiz").bundle_dir == str(result.directory.resolve())


@pytest.mark.parametrize(("entries", "symlinks", "message"), [
    ({"../evil/bundle.yaml": b"slug: x\n"}, (), "'..'"),
    ({"quiz/../../etc/passwd": b"x"}, (), "'..'"),
    ({"/etc/bundle.yaml": b"x"}, (), "absolute"),
    ({"C:/bundle.yaml": b"x"}, (), "absolute"),
    ({"quiz\\bundle.yaml": b"x"}, (), "backslash"),
    ({"quiz/bundle.yaml": b"x", "quiz/link": b"/etc/passwd"}, ("quiz/link",), "symbolic link"),
    ({"quiz/.hidden": b"x"}, (), "may not start with '.'"),
    ({"notes.txt": b"x"}, (), "bundle.yaml not found"),
    ({"a/bundle.yaml": b"x", "b/bundle.yaml": b"y"}, (), "bundle.yaml not found"),
])
def test_hostile_names_are_refused_and_nothing_is_written(course, storage, entries, symlinks, message):
    with pytest.raises(AuthoringError, match=message):
        bundle_zip_import(course=course, data=zip_of(entries, symlinks=symlinks), replace=True)
    course_dir = storage / "dl"
    assert not course_dir.exists() or [p.name for p in course_dir.iterdir()] in ([], [".staging"])
    assert not list(storage.parent.parent.rglob("passwd"))
    assert not Assignment.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_inflated(course):
    entries = quiz_entries()
    entries["quiz/questions/pick-one/big.txt"] = b"\0" * (MAX_FILE_BYTES + 10)
    with pytest.raises(AuthoringError, match="limit per file|zip bomb"):
        bundle_zip_import(course=course, data=zip_of(entries), replace=False)


def test_a_lying_size_header_is_caught_while_reading(course):
    entries = quiz_entries()
    entries["quiz/questions/pick-one/big.txt"] = b"a" * (MAX_FILE_BYTES + 10)
    data = bytearray(zip_of(entries))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("quiz/questions/pick-one/big.txt")
    # The central directory record of the file: its signature, 42 bytes of fields, then the name.
    central = data.find(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(info.filename)] != info.filename.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 10)  # central directory: "10 bytes"
    struct.pack_into("<I", data, info.header_offset + 22, 10)  # local header: "10 bytes"
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("quiz/questions/pick-one/big.txt").file_size == 10
    with pytest.raises(AuthoringError, match="big.txt: cannot be read"):
        bundle_zip_import(course=course, data=bytes(data), replace=False)


def test_zips_without_unix_file_modes_are_plain_files(course):
    """Windows tools and Python's writestr(str, ...) leave the file-type bits empty."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in quiz_entries().items():
            archive.writestr(name, content)
    assert bundle_zip_import(course=course, data=buffer.getvalue(), replace=False).slug == "quiz"


def test_too_many_files_and_not_a_zip(course):
    entries = {f"quiz/f{i}.txt": b"x" for i in range(MAX_FILES + 1)}
    with pytest.raises(AuthoringError, match="entries"):
        bundle_zip_import(course=course, data=zip_of(entries), replace=False)
    with pytest.raises(AuthoringError, match="not a zip"):
        bundle_zip_import(course=course, data=b"PK\x03\x04 definitely not", replace=False)


def test_non_utf8_yaml_and_prompts_are_named(course):
    entries = quiz_entries()
    entries["quiz/questions/pick-one/question.yaml"] = "kind: multiple_choice\ntitle: 한글\n".encode("euc-kr")
    with pytest.raises(AuthoringError, match=r"questions/pick-one/question.yaml: not UTF-8"):
        bundle_zip_import(course=course, data=zip_of(entries), replace=False)
    entries = quiz_entries()
    entries["quiz/questions/pick-one/prompt.ko.md"] = "한글".encode("cp949")
    with pytest.raises(AuthoringError, match=r"prompt.ko.md: not UTF-8"):
        bundle_zip_import(course=course, data=zip_of(entries), replace=False)


def test_an_invalid_bundle_names_the_file_and_field_and_loads_nothing(course, storage):
    entries = quiz_entries()
    entries["quiz/questions/pick-one/question.yaml"] = entries["quiz/questions/pick-one/question.yaml"].replace(
        b"correct: true", b"correct: false")
    with pytest.raises(AuthoringError) as raised:
        bundle_zip_import(course=course, data=zip_of(entries), replace=False)
    assert raised.value.message == "questions/pick-one/question.yaml: choices: no choice is marked correct: true"
    assert not Assignment.objects.exists()
    assert not (storage / "dl" / "quiz").exists()


def test_a_bundle_refused_once_in_place_puts_the_previous_folder_back(course, monkeypatch):
    """The loader reads the folder again where it will live: should that fail there (a disk
    problem, or staging and storage disagreeing), the previous bundle and its rows stay."""
    first = bundle_zip_import(course=course, data=zip_of(quiz_entries()), replace=False)
    before = {p.relative_to(first.directory): p.read_bytes() for p in first.directory.rglob("*") if p.is_file()}
    versions = list(Question.objects.values_list("current_version__content_hash", flat=True))
    changed = quiz_entries()
    changed["quiz/bundle.yaml"] += b"# edited: valid, so only the loader in place refuses it\n"

    def refuse(*, path, course):  # type: ignore[no-untyped-def]
        raise BundleError(str(path / "bundle.yaml"), "(file)", "unreadable")

    monkeypatch.setattr(zipio, "bundle_load", refuse)
    with pytest.raises(AuthoringError, match="bundle.yaml"):
        bundle_zip_import(course=course, data=zip_of(changed), replace=True)
    after = {p.relative_to(first.directory): p.read_bytes() for p in first.directory.rglob("*") if p.is_file()}
    assert after == before
    assert list(Question.objects.values_list("current_version__content_hash", flat=True)) == versions


def test_a_file_and_a_folder_of_the_same_name_are_refused_not_a_crash(course):
    entries = quiz_entries()
    entries["quiz/questions/pick-one/extra"] = b"x"
    entries["quiz/questions/pick-one/extra/inner.txt"] = b"y"
    with pytest.raises(AuthoringError, match="cannot be unpacked"):
        bundle_zip_import(course=course, data=zip_of(entries), replace=False)
