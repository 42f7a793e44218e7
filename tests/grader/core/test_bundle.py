"""A broken bundle gets a clear error naming the file and the field."""

import shutil
from pathlib import Path

import pytest

from grader.api import load_question
from grader.bundle import read_bundle
from grader.errors import BundleError

MINI = Path(__file__).parent / "fixtures" / "mini"


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
