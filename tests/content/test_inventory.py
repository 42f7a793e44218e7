"""assignments/INVENTORY.md maps every seed question to a bundle question, and lists them all."""

from __future__ import annotations

import re

from content_support import ASSIGNMENTS, load_bundles

INVENTORY = ASSIGNMENTS / "INVENTORY.md"


def listed_slugs() -> set[str]:
    """Slugs in the last column ("Slug(s)") of the inventory tables."""
    slugs: set[str] = set()
    for line in INVENTORY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 4 and not set(cells[-1]) <= {"-"}:
            slugs.update(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)*)`", cells[-1]))
    return slugs


def test_every_question_of_both_bundles_is_in_the_inventory():
    slugs = {q.slug for bundle in load_bundles() for q in bundle.questions}
    missing = slugs - listed_slugs()
    assert not missing, f"not in INVENTORY.md: {sorted(missing)}"


def test_the_inventory_names_only_questions_that_exist():
    slugs = {q.slug for bundle in load_bundles() for q in bundle.questions}
    unknown = listed_slugs() - slugs
    assert not unknown, f"INVENTORY.md mentions unknown slugs: {sorted(unknown)}"


def test_every_seed_document_has_a_section():
    text = INVENTORY.read_text(encoding="utf-8")
    for seed in ("000_3b105e50e7287f97", "001_047ccd1e7dd2ba3b", "002_491ada21dda727b5",
                 "003_a7c089ffa3d7fa02", "004_7f793a7d6e9830ac"):
        assert seed in text
    for heading in ("## 000", "## 001", "## 002", "## 003", "## 004"):
        assert heading in text


def test_every_numbered_question_of_the_answer_sheet_is_mapped():
    # seed 001 numbers its questions 7.x.y(.z) / 8.x.y; the inventory lists each position
    text = INVENTORY.read_text(encoding="utf-8")
    for position in ("7.1.1", "7.2.1.1", "7.2.2.1", "7.2.3.1", "7.2.4", "7.2.5", "7.2.6.1",
                     "7.2.7.1", "7.3.1.1", "7.3.1.2", "7.4.1.1", "7.4.2.1", "7.4.2.2", "7.4.3.1",
                     "7.4.3.2", "7.4.4.1", "7.5.1.1", "7.5.1.2", "7.5.1.3", "7.5.1.4", "7.5.1.5",
                     "7.5.1.6", "7.6.1.1", "7.6.2.1", "7.7.1", "8.1.2.1", "8.1.3.1", "8.2.4",
                     "8.3.1", "8.3.2", "8.4.1", "8.4.2", "8.4.3"):
        assert f"| {position}" in text, position
    for position in ("Q1", "Q2 (a)", "Q2 (b)", "Q2 (c)", "Q3", "Q4", "Q5", "Q6 (a)", "Q6 (b)",
                     "Q7 (a)", "Q7 (b)", "Q8"):
        assert f"| {position} |" in text, position
