"""A broken bundle gets a clear error naming the file and the field."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.api import load_question
from grader.bundle import read_bundle
from grader.errors import BundleError

MINI = Path(__file__).parent / "fixtures" / "mini"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def bundle(tmp_path):
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def edit(path, old, new):
    path.write_text(path.read_text().replace(old, new))


def test_the_fixture_bundle_reads(bundle):
    source = read_bundle(bundle)
    assert [q.slug for q in source.questions] == ["scale"]
    assert source.questions[0].files["template"].startswith("def scale")


@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        ("questions/scale/question.yaml", "probe: scale", "probe: nowhere", "checks[0].probe"),
        ("questions/scale/question.yaml", "kind: allclose", "kind: closeish", "checks[0].compare[0].kind"),
        ("questions/scale/question.yaml", "memory_mb: 512", "memory_mb: 16", "limits.memory_mb"),
        ("questions/scale/question.yaml", "points: 1\n", "points: -1\n", "checks[0].points"),
        ("questions/scale/question.yaml", 'en: "Multiply by k."', "fr: x", "checks[0].hint.en"),
        ("questions/scale/question.yaml", "textbook: []", "textbook: [torch]", "textbook"),
        ("questions/scale/question.yaml", "checks:", "checks: [\n", "line"),
        ("bundle.yaml", "slug: mini", "slug: Mini Bundle", "slug"),
        ("bundle.yaml", "[scale]", "[scale, scale]", "questions"),
        # the faulty-part diagnosis (grader/diagnosis.py): a check opts in, the question says how
        ("questions/scale/question.yaml", "    probe: scale\n", "    probe: scale\n    diagnose: true\n", "diagnose"),
        ("questions/scale/question.yaml", "    probe: scale\n", "    probe: scale\n    diagnose: yes please\n",
         "checks[0].diagnose"),
        ("questions/scale/question.yaml", "checks:", "diagnose: {probe: nowhere, whole: Net, uses: predict}\nchecks:",
         "diagnose.probe"),
        ("questions/scale/question.yaml", "checks:", "diagnose: {probe: scale, whole: 1 Net, uses: predict}\nchecks:",
         "diagnose.whole"),
        ("questions/scale/question.yaml", "checks:", "diagnose: {probe: scale}\nchecks:", "diagnose"),
    ],
)
def test_broken_fields_are_named(bundle, file, old, new, field):
    edit(bundle / file, old, new)
    with pytest.raises(BundleError) as caught:
        read_bundle(bundle)
        load_question(bundle, "scale")
    assert caught.value.field.startswith(field)
    assert caught.value.path.endswith(file.split("/")[-1])


def test_a_missing_reference_file_is_named(bundle):
    (bundle / "questions/scale/reference.py").unlink()
    with pytest.raises(BundleError, match="reference"):
        load_question(bundle, "scale")


def test_a_probes_syntax_error_is_named(bundle):
    (bundle / "questions/scale/probes.py").write_text("def broken(:\n")
    with pytest.raises(BundleError, match="probes.py: line 1"):
        load_question(bundle, "scale")


# --- Which files a bundle may read: its own, and nothing else on the server -----------------------

SECRET = "SERVER-SECRET-4f1c9a\n"


@pytest.fixture
def secret(tmp_path):
    """A file outside the bundle that a bundle must never be able to read (a secret key, say)."""
    path = tmp_path / "outside" / "dev-secret-key"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def name_file(bundle, field, name):
    spec = bundle / "questions/scale/question.yaml"
    spec.write_text(f"{field}: {name}\n" + spec.read_text())


def refused(bundle, field):
    with pytest.raises(BundleError) as caught:
        read_bundle(bundle)
    assert caught.value.field == field
    return caught.value


@pytest.mark.parametrize("field", ["template", "reference", "probes"])
def test_an_absolute_file_name_is_refused_naming_the_file_and_field(bundle, secret, field):
    name_file(bundle, field, f'"{secret}"')
    error = refused(bundle, field)
    assert error.path.endswith("question.yaml") and "absolute" in error.problem


@pytest.mark.parametrize("name", [
    '"../../../outside/dev-secret-key"',
    '"../scale/template.py"',  # '..' is refused by name, even where it would land inside the bundle
    '"sub/template.py"',
    '".template.py"',
])
def test_names_with_folders_or_dots_are_refused(bundle, secret, name):
    name_file(bundle, "template", name)
    assert "plain file name" in refused(bundle, "template").problem


@pytest.mark.parametrize("name", ['"template.py\\0/../../outside"', '"..\\\\..\\\\outside\\\\dev-secret-key"'])
def test_nul_and_backslash_in_a_name_are_refused(bundle, name):
    name_file(bundle, "template", name)
    assert "backslashes and NUL" in refused(bundle, "template").problem


def test_a_file_that_is_a_symlink_out_of_the_bundle_is_refused(bundle, secret):
    template = bundle / "questions/scale/template.py"
    template.unlink()
    template.symlink_to(secret)
    error = refused(bundle, "template")
    assert "outside the bundle" in error.problem and SECRET.strip() not in str(error)


def test_a_symlink_that_stays_inside_the_bundle_is_fine(bundle):
    shared = bundle / "shared"
    shared.mkdir()
    template = bundle / "questions/scale/template.py"
    template.rename(shared / "template.py")
    template.symlink_to("../../shared/template.py")
    assert read_bundle(bundle).questions[0].files["template"].startswith("def scale")


@pytest.mark.parametrize("relative", ["questions/scale/prompt.ko.md", "questions/scale/question.yaml", "bundle.yaml"])
def test_any_bundle_file_linked_out_of_the_bundle_is_refused(bundle, secret, relative):
    target = bundle / relative
    target.unlink()
    target.symlink_to(secret)
    with pytest.raises(BundleError, match="outside the bundle"):
        read_bundle(bundle)


def test_a_question_folder_linked_out_of_the_bundle_is_refused(bundle, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (bundle / "questions/scale").rename(elsewhere)
    (bundle / "questions/scale").symlink_to(elsewhere)
    with pytest.raises(BundleError, match="outside the bundle") as caught:
        read_bundle(bundle)
    assert caught.value.field == "(folder)"


def test_the_cli_validate_refuses_such_a_bundle(bundle, secret):
    name_file(bundle, "template", f'"{secret}"')
    done = subprocess.run([sys.executable, "-m", "grader", "validate", str(bundle)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "question.yaml: template:" in done.stderr and "absolute" in done.stderr
    assert SECRET.strip() not in done.stdout + done.stderr
