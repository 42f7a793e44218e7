"""Authoring services: bundles written on disk, validated like the loader, published through it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from assessments.models import Assignment, Question, QuestionVersion
from authoring import services
from authoring.drafts import folder_revision, question_draft_new, question_draft_read
from authoring.errors import AuthoringError
from authoring.starters import STARTER_SPEC_YAML
from authoring.storage import bundle_storage_dir
from django.core.management import call_command

from tests.platform.authoring.helpers import numeric_draft, storage_in
from tests.platform.conftest import MINI, QUIZ

TITLE = {"ko": "연습", "en": "Practice"}

@pytest.fixture(autouse=True)
def storage(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    return storage_in(settings, tmp_path)


def new_bundle(course, slug: str = "practice") -> Path:  # type: ignore[no-untyped-def]
    return services.bundle_create(course=course, slug=slug, title=TITLE, description={"ko": "", "en": ""})


def test_a_new_bundle_lives_in_the_course_storage(course, storage):
    directory = new_bundle(course)
    assert directory == storage / "dl" / "practice"
    spec = yaml.safe_load((directory / "bundle.yaml").read_text())
    assert spec == {"slug": "practice", "title": TITLE, "questions": []}


@pytest.mark.parametrize("slug", ["Bad Slug", "../escape", "", "a/b"])
def test_bad_bundle_slugs_are_refused_before_touching_the_disk(course, storage, slug):
    with pytest.raises(AuthoringError) as raised:
        new_bundle(course, slug)
    assert raised.value.form_field == "slug"
    assert not (storage / "dl").exists() or not any((storage / "dl").iterdir())


def test_a_slug_taken_by_a_loaded_assignment_points_to_edit(course, quiz_assignment):
    with pytest.raises(AuthoringError, match="Edit"):
        new_bundle(course, "quiz")


def test_titles_need_both_languages(course):
    with pytest.raises(AuthoringError) as raised:
        services.bundle_create(course=course, slug="x", title={"ko": "제목", "en": " "}, description={})
    assert raised.value.form_field == "title_en"


@pytest.mark.parametrize("kind", sorted(STARTER_SPEC_YAML))
def test_every_kind_starter_saves_once_given_a_title(course, kind, inprocess):
    new_bundle(course)
    draft = question_draft_new(kind=kind, slug=f"q-{kind.replace('_', '-')}")
    draft.title = {"ko": "제목", "en": "Title"}
    source = services.question_save(course=course, bundle_slug="practice", draft=draft, revision=None, create=True)
    assert source.kind == kind
    order = yaml.safe_load((bundle_storage_dir(course=course, slug="practice") / "bundle.yaml").read_text())["questions"]
    assert order == [draft.slug]


def test_a_saved_question_is_a_plain_bundle_folder_and_reads_back(course):
    new_bundle(course)
    draft = numeric_draft()
    services.question_save(course=course, bundle_slug="practice", draft=draft, revision=None, create=True)
    folder = bundle_storage_dir(course=course, slug="practice") / "questions" / "area"
    assert sorted(p.name for p in folder.iterdir()) == ["prompt.en.md", "prompt.ko.md", "question.yaml"]
    text = (folder / "question.yaml").read_text()
    assert text.startswith("kind: numeric\n") and "# per-student sizes" in text  # comments survive
    again = question_draft_read(question_dir=folder)
    assert again == draft


@pytest.mark.parametrize(("spec_yaml", "where"), [
    ('answer: "W * "\nvariables: {W: {min: 1, max: 3}}\n', "questions/area/question.yaml: answer"),
    ('answer: "Z"\n', "questions/area/question.yaml: answer"),
    ("answer: 3\ntolerance: {abs: -1}\n", "questions/area/question.yaml: tolerance.abs"),
    ("answer: [unclosed\n", "kind settings (YAML): line"),
    ("- just\n- a list\n", "kind settings (YAML): must be a mapping"),
    ("answer: 3\ntitle: {ko: a, en: b}\n", "kind settings (YAML): title"),
])
def test_invalid_kind_settings_are_refused_naming_file_and_field(course, spec_yaml, where):
    new_bundle(course)
    draft = numeric_draft()
    draft.spec_yaml = spec_yaml
    with pytest.raises(AuthoringError) as raised:
        services.question_save(course=course, bundle_slug="practice", draft=draft, revision=None, create=True)
    assert raised.value.message.startswith(where)
    assert raised.value.form_field == "spec_yaml"
    assert not (bundle_storage_dir(course=course, slug="practice") / "questions" / "area").exists()


def test_a_broken_edit_leaves_the_saved_question_untouched(course):
    new_bundle(course)
    services.question_save(course=course, bundle_slug="practice", draft=numeric_draft(), revision=None, create=True)
    folder = bundle_storage_dir(course=course, slug="practice") / "questions" / "area"
    before = folder_revision(folder)
    broken = numeric_draft()
    broken.prompts = {"ko": "", "en": "x"}
    with pytest.raises(AuthoringError) as raised:
        services.question_save(course=course, bundle_slug="practice", draft=broken, revision=before, create=False)
    assert raised.value.message.startswith("prompt:") and raised.value.form_field == "prompt_ko"
    assert folder_revision(folder) == before


def test_code_question_syntax_errors_name_the_file(course):
    new_bundle(course)
    draft = question_draft_new(kind="code", slug="double")
    draft.title = {"ko": "두 배", "en": "Double"}
    draft.files["reference"] = "def double(x:\n"
    with pytest.raises(AuthoringError) as raised:
        services.question_save(course=course, bundle_slug="practice", draft=draft, revision=None, create=True)
    assert raised.value.message.startswith("questions/double/reference.py: line 1: syntax error")
    assert raised.value.form_field == "reference_code"


def test_code_file_names_cannot_point_outside_the_question(course, storage):
    new_bundle(course)
    draft = question_draft_new(kind="code", slug="double")
    draft.title = {"ko": "두 배", "en": "Double"}
    draft.spec_yaml = "template: ../../../../evil.py\n" + draft.spec_yaml
    with pytest.raises(AuthoringError, match="plain file name"):
        services.question_save(course=course, bundle_slug="practice", draft=draft, revision=None, create=True)
    assert not list(storage.parent.rglob("evil.py"))


def test_a_save_based_on_a_stale_revision_is_refused(course):
    new_bundle(course)
    services.question_save(course=course, bundle_slug="practice", draft=numeric_draft(), revision=None, create=True)
    folder = bundle_storage_dir(course=course, slug="practice") / "questions" / "area"
    opened = folder_revision(folder)
    services.question_save(course=course, bundle_slug="practice", draft=numeric_draft(answer="W * H + 0"),
                           revision=opened, create=False)
    with pytest.raises(AuthoringError, match="someone saved"):
        services.question_save(course=course, bundle_slug="practice", draft=numeric_draft(answer="H * W"),
                               revision=opened, create=False)


def test_publishing_loads_through_the_loader_and_changes_make_new_versions(course, student):
    new_bundle(course)
    with pytest.raises(AuthoringError, match="at least one question"):
        services.bundle_publish(course=course, slug="practice")
    services.question_save(course=course, bundle_slug="practice", draft=numeric_draft(), revision=None, create=True)
    report = services.bundle_publish(course=course, slug="practice")
    assert "created assignment practice in course dl" in report.changes
    question = Question.objects.get(assignment__slug="practice", slug="area")
    assert question.kind == "numeric" and question.points == 2 and question.current_version.number == 1
    assert Assignment.objects.get(slug="practice").bundle_dir == str(bundle_storage_dir(course=course, slug="practice").resolve())

    # Saving the same content again changes no byte, so publishing changes nothing.
    folder = bundle_storage_dir(course=course, slug="practice") / "questions" / "area"
    services.question_save(course=course, bundle_slug="practice", draft=numeric_draft(),
                           revision=folder_revision(folder), create=False)
    assert services.bundle_publish(course=course, slug="practice").changes == []

    services.question_save(course=course, bundle_slug="practice", draft=numeric_draft(answer="W * H * 1"),
                           revision=folder_revision(folder), create=False)
    report = services.bundle_publish(course=course, slug="practice")
    assert "  ~ question area: content changed, now version 2" in report.changes
    assert QuestionVersion.objects.filter(question=question).count() == 2


def test_editing_a_git_bundle_copies_it_and_keeps_content_hashes(course, mini_assignment, storage):
    before = {q.slug: q.current_version.content_hash for q in mini_assignment.questions.all()}
    directory = services.bundle_copy_for_editing(course=course, assignment=mini_assignment)
    assert directory == storage / "dl" / "mini"
    assert (MINI / "bundle.yaml").read_bytes() == (directory / "bundle.yaml").read_bytes()
    report = services.bundle_publish(course=course, slug="mini")
    assert report.changes == [  # only the folder changed: the course now follows the copy
        "updated assignment mini", f"  ! mini now follows {directory.resolve()} (was {MINI.resolve()})"]
    after = {q.slug: q.current_version.content_hash for q in Question.objects.filter(assignment=mini_assignment)}
    assert after == before
    assert QuestionVersion.objects.filter(question__assignment=mini_assignment).count() == 1


def test_editing_a_copied_git_question_keeps_it_loadable_by_the_command(course, quiz_assignment):
    directory = services.bundle_copy_for_editing(course=course, assignment=quiz_assignment)
    folder = directory / "questions" / "pick-one"
    draft = question_draft_read(question_dir=folder)
    assert draft.kind == "multiple_choice" and "choices" in draft.spec_yaml
    draft.points = 3
    services.question_save(course=course, bundle_slug="quiz", draft=draft, revision=folder_revision(folder), create=False)
    call_command("load_assignments", str(directory), "--course", "dl", stdout=io.StringIO())
    question = Question.objects.get(assignment=quiz_assignment, slug="pick-one")
    assert question.points == 3 and question.current_version.number == 2
    assert (QUIZ / "questions" / "pick-one" / "question.yaml").read_text().count("points: 2") == 1  # git copy untouched


def test_removing_and_reordering_questions(course):
    new_bundle(course)
    for slug in ("one", "two", "three"):
        services.question_save(course=course, bundle_slug="practice", draft=numeric_draft(slug), revision=None, create=True)
    services.question_move(course=course, bundle_slug="practice", question_slug="three", offset=-1)
    services.question_remove(course=course, bundle_slug="practice", question_slug="one")
    directory = bundle_storage_dir(course=course, slug="practice")
    assert yaml.safe_load((directory / "bundle.yaml").read_text())["questions"] == ["three", "two"]
    assert not (directory / "questions" / "one").exists()


def test_concurrent_saves_never_lose_a_question_from_the_order(course):
    """bundle.yaml is read-modified-written on every new question: the bundle lock serialises it."""
    from concurrent.futures import ThreadPoolExecutor

    new_bundle(course)
    slugs = [f"q{i}" for i in range(8)]

    def save(slug: str) -> None:
        services.question_save(course=course, bundle_slug="practice", draft=numeric_draft(slug),
                               revision=None, create=True)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(save, slugs))
    order = yaml.safe_load((bundle_storage_dir(course=course, slug="practice") / "bundle.yaml").read_text())["questions"]
    assert sorted(order) == slugs


def test_a_comment_edit_in_our_own_layout_is_saved(course):
    new_bundle(course)
    services.question_save(course=course, bundle_slug="practice", draft=numeric_draft(), revision=None, create=True)
    folder = bundle_storage_dir(course=course, slug="practice") / "questions" / "area"
    draft = numeric_draft()
    draft.spec_yaml = draft.spec_yaml.replace("# per-student sizes", "# sizes drawn per student")
    services.question_save(course=course, bundle_slug="practice", draft=draft, revision=folder_revision(folder), create=False)
    assert question_draft_read(question_dir=folder).spec_yaml.startswith("# sizes drawn per student")
