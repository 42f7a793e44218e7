"""Shared pieces of the authoring tests (imported by each module; no conftest of our own)."""

from __future__ import annotations

from pathlib import Path

from authoring.drafts import QuestionDraft, question_draft_new


def storage_in(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Point VAR_DIR at the test's own folder, so authored bundles never land in the real var/.
    Returns the authoring storage root. Each module wraps it in an autouse ``storage`` fixture."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR / "bundles"


def numeric_draft(slug: str = "area", *, answer: str = "W * H", prompt: str = "넓이: $W \\times H$, W={{W}}") -> QuestionDraft:
    draft = question_draft_new(kind="numeric", slug=slug)
    draft.title = {"ko": "넓이", "en": "Area"}
    draft.points = 2
    draft.prompts = {"ko": prompt, "en": "Area: $W \\times H$, W={{W}}"}
    draft.spec_yaml = (
        "# per-student sizes\n"
        "variables: {W: {min: 2, max: 9}, H: {choices: [3, 4]}}\n"
        f'answer: "{answer}"\n'
        "tolerance: {abs: 0.5}\n"
    )
    return draft
