"""load_assignments: idempotent, versioned, validates before writing."""

from __future__ import annotations

import shutil
from io import StringIO

import pytest
from assessments.models import Assignment, Question, QuestionVersion
from django.core.management import CommandError, call_command
from submissions.services.submit import submission_create

from tests.platform.conftest import CORRECT_SCALE, MINI, QUIZ


def load(*paths, course="dl") -> str:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("load_assignments", *map(str, paths), "--course", course, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_loading_twice_changes_nothing_the_second_time(course):
    first = load(MINI, QUIZ)
    assert "created assignment mini" in first and "+ question pick-one" in first
    second = load(MINI, QUIZ)
    assert second.split("\n")[:2] == ["mini: unchanged", "quiz: unchanged"]
    assert QuestionVersion.objects.count() == 2


def test_policy_defaults_come_from_the_bundle(course):
    load(QUIZ)
    assignment = Assignment.objects.get(slug="quiz")
    assert assignment.max_attempts == 2 and assignment.late_penalty_per_day == 0.25
    assert assignment.hidden_checks == Assignment.HiddenChecks.NEVER


def test_a_changed_question_gets_a_new_version_and_old_submissions_keep_theirs(course, student, tmp_path):
    bundle = tmp_path / "mini"
    shutil.copytree(MINI, bundle)
    load(bundle)
    question = Question.objects.get(slug="scale")
    old_version = question.current_version
    submission = submission_create(user=student, question=question, code=CORRECT_SCALE, idempotency_key="key-00000001").submission
    yaml_path = bundle / "questions" / "scale" / "question.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("points: 3", "points: 4"))
    output = load(bundle)
    assert "now version 2" in output
    question.refresh_from_db()
    assert question.current_version.number == 2 and question.points == 4
    submission.refresh_from_db()
    assert submission.version_id == old_version.pk


def test_policy_edits_by_instructors_survive_a_reload(course):
    load(QUIZ)
    Assignment.objects.filter(slug="quiz").update(max_attempts=7)
    load(QUIZ)
    assert Assignment.objects.get(slug="quiz").max_attempts == 7


def test_a_broken_bundle_is_not_loaded_and_fails_the_command(course, tmp_path):
    bundle = tmp_path / "mini"
    shutil.copytree(MINI, bundle)
    (bundle / "questions" / "scale" / "probes.py").write_text("def scale(:\n")
    with pytest.raises(CommandError):
        load(bundle)
    assert not Assignment.objects.exists()


def test_an_unknown_course_is_an_error(db):
    with pytest.raises(CommandError):
        load(MINI, course="nope")


def test_without_a_course_bundles_go_to_the_demo_course(db):
    call_command("load_assignments", str(MINI), stdout=StringIO())
    assert Assignment.objects.get(slug="mini").course.title == "딥러닝 기초 (데모)"


def test_a_question_dropped_from_the_bundle_is_retired(course, tmp_path):
    bundle = tmp_path / "quiz"
    shutil.copytree(QUIZ, bundle)
    load(bundle)
    spec = bundle / "bundle.yaml"
    spec.write_text(spec.read_text().replace("questions: [pick-one]", "questions: [pick-two]"))
    shutil.copytree(bundle / "questions" / "pick-one", bundle / "questions" / "pick-two")
    output = load(bundle)
    assert "retired question pick-one" in output and "+ question pick-two" in output
    assert list(Question.objects.filter(active=True).values_list("slug", flat=True)) == ["pick-two"]


@pytest.mark.parametrize("attack", ["absolute", "dotdot", "symlink"])
def test_a_bundle_naming_a_file_outside_itself_is_not_loaded(course, tmp_path, attack):
    """The git loader applies the grader's rule: a bundle reads its own files and nothing else."""
    secret = tmp_path / "dev-secret-key"
    secret.write_text("SERVER-SECRET-77e0\n")
    bundle = tmp_path / "repo" / "mini"
    shutil.copytree(MINI, bundle)
    question_dir = bundle / "questions" / "scale"
    spec = question_dir / "question.yaml"
    if attack == "symlink":
        (question_dir / "template.py").unlink()
        (question_dir / "template.py").symlink_to(secret)
    else:
        name = str(secret) if attack == "absolute" else "../../../../dev-secret-key"
        spec.write_text(f'template: "{name}"\n' + spec.read_text())
    errors = StringIO()
    with pytest.raises(CommandError):
        call_command("load_assignments", str(bundle), "--course", "dl", stdout=StringIO(), stderr=errors)
    assert "question.yaml: template:" in errors.getvalue()
    assert not Assignment.objects.exists() and not QuestionVersion.objects.exists()
