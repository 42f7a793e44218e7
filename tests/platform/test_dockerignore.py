"""The image's build context (``COPY . .``) must never carry secrets or local state: environment files
and var/ (the SQLite database, the development secret key, logs, authored bundles). Reads
.dockerignore with Docker's rules: comments, cleaned paths, ``*`` within a path segment, ``**``
across segments, a pattern that matches a directory excludes everything in it, the last matching
line wins and ``!`` re-includes."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _regex(pattern: str) -> re.Pattern[str]:
    out, index = [], 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")  # any number of directories, none included
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(out))


def rules(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    parsed = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = posixpath.normpath(line.lstrip("!").strip()).lstrip("/")
        parsed.append((negated, _regex(line)))
    return parsed


def excluded(path: str, text: str | None = None) -> bool:
    """Whether Docker leaves ``path`` (relative, with "/") out of the build context."""
    text = (ROOT / ".dockerignore").read_text() if text is None else text
    parts = path.split("/")
    candidates = ["/".join(parts[: end + 1]) for end in range(len(parts))]  # the path and its parents
    verdict = False
    for negated, regex in rules(text):
        if any(regex.fullmatch(candidate) for candidate in candidates):
            verdict = not negated
    return verdict


@pytest.mark.parametrize("path", [
    ".env", ".env.production", ".env.local", "platform/.env", "deploy/.env.prod",
    "var", "var/db.sqlite3", "var/dev-secret-key", "var/logs/web.log", "var/bundles/dl/hw1/bundle.yaml",
    ".git/config", ".venv/bin/python",
])
def test_secrets_and_local_state_stay_out_of_the_image(path):
    assert excluded(path), path


@pytest.mark.parametrize("path", [
    "manage.py", "requirements.txt", "platform/config/settings.py", "grader/__init__.py",
    "assignments/ch07-cnn/bundle.yaml", "scripts/build_frontend.sh", "package-lock.json",
    "platform/config/env.py",  # a module named env is code, not an environment file
])
def test_the_sources_the_image_needs_are_kept(path):
    assert not excluded(path), path


def test_the_matcher_follows_negation_and_directory_rules():
    """The reader itself, on a made-up file: a re-included path comes back, ``/`` anchors nothing
    extra, ``*`` stays within one directory, ``**`` crosses them."""
    text = "# c\nbuild/\n!build/keep.txt\n/docs/*.md\n**/*.log\n"
    assert excluded("build/x.o", text) and not excluded("build/keep.txt", text)
    assert excluded("docs/a.md", text) and not excluded("docs/sub/a.md", text)
    assert excluded("a/b/c.log", text) and excluded("c.log", text) and not excluded("c.txt", text)
