"""Reading bundles from disk: ``bundle.yaml`` plus one folder per question (see assignments/README.md).

This module checks the shape every question shares (slug, kind, title, prompts, files); what a kind
needs beyond that is validated by the kind itself (``grader.question`` for code questions).

It is also the one place that decides which files a bundle may read (``question_file``,
``inside_bundle``): bundles arrive from people who must not read the server's files (an uploaded
zip, another course's git folder), and every loader (the CLI, ``load_assignments``, the zip import,
the browser editor) reads through these functions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.errors import BundleError

LANGS = ("ko", "en")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_FILES = ("template", "reference", "probes")
# A file a question.yaml names: a plain name in the question's own folder. No folders, so no '..',
# absolute paths or drive letters; no leading dot (hidden files); no backslash or NUL.
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@dataclass
class QuestionSource:
    slug: str
    kind: str
    spec: dict[str, Any]
    dir: Path
    prompts: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""


@dataclass(frozen=True)
class PoolSource:
    """``pools:`` in bundle.yaml: each student gets ``draw`` of ``questions``, ``points`` each."""

    name: str
    draw: int
    points: float
    questions: tuple[str, ...]


@dataclass
class BundleSource:
    slug: str
    spec: dict[str, Any]
    dir: Path
    questions: list[QuestionSource]
    pools: list[PoolSource] = field(default_factory=list)


def read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise BundleError(str(path), "(file)", "missing")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise BundleError(str(path), "(file)", "not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise BundleError(str(path), where, f"invalid YAML: {getattr(error, 'problem', error)}") from None
    if not isinstance(data, dict):
        raise BundleError(str(path), "(file)", "must be a mapping of fields")
    return data


def localized(value: Any, path: Path | str, field_name: str) -> dict[str, str]:
    """A student-facing text: a mapping with a non-empty string per language."""
    if not isinstance(value, dict):
        raise BundleError(str(path), field_name, "must be a mapping {ko: ..., en: ...}")
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise BundleError(str(path), f"{field_name}.{lang}", "missing or empty text")
    return {lang: value[lang] for lang in LANGS}


def inside_bundle(bundle_dir: Path, path: Path, *, where: str | Path, field: str) -> Path:
    """``path`` itself, once it is known to stay inside ``bundle_dir`` with symlinks resolved.

    A name can be harmless and still lead out through a symlink (in git, or a folder a tool
    unpacked): what counts is where the file really is, not how it is spelled.
    """
    root = bundle_dir.resolve()
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise BundleError(str(where), field, f"{path.name!r} cannot be resolved (a symbolic link loop?)") from None
    if not real.is_relative_to(root):
        raise BundleError(str(where), field, f"{path.name!r} leads outside the bundle folder "
                          "(a symbolic link?); a bundle may only read its own files")
    return path


def file_name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a file name in question.yaml (None when it can)."""
    if not isinstance(name, str) or not name:
        return "must be a file name such as template.py"
    if "\\" in name or "\0" in name:
        return f"{name!r}: backslashes and NUL are not allowed in file names"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return f"{name!r}: absolute paths are not allowed; give a file name in the question folder"
    if not FILE_NAME.match(name):
        return (f"{name!r}: must be a plain file name in the question folder, such as template.py "
                "(letters, digits, '_', '-', '.'; no folders, no '..', not starting with '.')")
    return None


def question_file(question_dir: Path, name: object, *, field: str) -> Path:
    """The file a question.yaml field names, refused unless it is the question's own file.

    ``question_dir`` is ``<bundle>/questions/<slug>`` (the bundle format), so the bundle folder is
    its grandparent. Raises ``BundleError`` naming question.yaml and ``field``.
    """
    spec_path = question_dir / "question.yaml"
    problem = file_name_problem(name)
    if problem is not None:
        raise BundleError(str(spec_path), field, problem)
    return inside_bundle(question_dir.parent.parent, question_dir / str(name), where=spec_path, field=field)


def read_bundle(path: str | Path) -> BundleSource:
    directory = Path(path).resolve()
    spec_path = directory / "bundle.yaml"
    spec = read_yaml(inside_bundle(directory, spec_path, where=spec_path, field="(file)"))
    slug = spec.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise BundleError(str(spec_path), "slug", "must be lowercase letters, digits and hyphens")
    localized(spec.get("title"), spec_path, "title")
    order = spec.get("questions")
    if not isinstance(order, list) or not order or not all(isinstance(q, str) for q in order):
        raise BundleError(str(spec_path), "questions", "must be a non-empty list of question slugs")
    if len(set(order)) != len(order):
        raise BundleError(str(spec_path), "questions", "lists a question twice")
    questions = [read_question(directory, question_slug) for question_slug in order]
    pools = read_pools(spec.get("pools"), questions, spec_path)
    return BundleSource(slug=slug, spec=spec, dir=directory, questions=questions, pools=pools)


def read_pools(value: Any, questions: list[QuestionSource], spec_path: Path) -> list[PoolSource]:
    """``pools:`` (optional): ``[{name, draw, points, questions: [slug, ...]}]``. A member is one of
    the bundle's ``questions``, in at most one pool; ``draw`` is between 1 and the number of
    members; every member is worth the pool's ``points`` (one slot, equal for every student)."""
    if value is None:
        return []
    where = str(spec_path)
    if not isinstance(value, list):
        raise BundleError(where, "pools", "must be a list of pools {name, draw, points, questions}")
    by_slug = {source.slug: source for source in questions}
    pools: list[PoolSource] = []
    owner: dict[str, str] = {}
    for index, entry in enumerate(value):
        field_name = f"pools[{index}]"
        if not isinstance(entry, dict):
            raise BundleError(where, field_name, "must be a mapping {name, draw, points, questions}")
        unknown = sorted(set(entry) - {"name", "draw", "points", "questions"})
        if unknown:
            raise BundleError(where, f"{field_name}.{unknown[0]}", "unknown field (name, draw, points, questions)")
        name = entry.get("name")
        if not isinstance(name, str) or not SLUG.match(name):
            raise BundleError(where, f"{field_name}.name", "must be lowercase letters, digits and hyphens")
        if any(pool.name == name for pool in pools):
            raise BundleError(where, f"{field_name}.name", f"pool {name!r} is declared twice")
        members = entry.get("questions")
        if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
            raise BundleError(where, f"pools.{name}.questions", "must be a non-empty list of question slugs")
        if len(set(members)) != len(members):
            raise BundleError(where, f"pools.{name}.questions", "lists a question twice")
        for slug in members:
            if slug not in by_slug:
                raise BundleError(where, f"pools.{name}.questions",
                                  f"unknown question {slug!r}: a pool's questions must be listed in questions")
            if slug in owner:
                raise BundleError(where, f"pools.{name}.questions",
                                  f"question {slug!r} is already in pool {owner[slug]!r}; a question belongs to one pool")
            owner[slug] = name
        draw = entry.get("draw")
        if not isinstance(draw, int) or isinstance(draw, bool) or not 1 <= draw <= len(members):
            raise BundleError(where, f"pools.{name}.draw",
                              f"must be a whole number from 1 to {len(members)} (the pool's questions)")
        member_points = {float(by_slug[slug].spec.get("points", 1)) for slug in members}
        points = entry.get("points")
        if points is None:
            if len(member_points) > 1:
                raise BundleError(where, f"pools.{name}.points", "the pool's questions are worth different "
                                  "points; give them equal points (each student's slots must weigh the same)")
            points = member_points.pop()
        elif not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
            raise BundleError(where, f"pools.{name}.points", "must be a number >= 0")
        for slug in members:
            if float(by_slug[slug].spec.get("points", 1)) != float(points):
                raise BundleError(where, f"pools.{name}.points",
                                  f"question {slug!r} is worth {by_slug[slug].spec.get('points', 1)} points, "
                                  f"the pool {points}: every question of a pool is worth the pool's points")
        pools.append(PoolSource(name=name, draw=draw, points=float(points), questions=tuple(members)))
    return pools


def read_question(bundle_dir: str | Path, slug: str) -> QuestionSource:
    root = Path(bundle_dir).resolve()
    directory = root / "questions" / slug
    spec_path = directory / "question.yaml"
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise BundleError(str(spec_path), "slug", f"{slug!r} is not a valid slug")
    inside_bundle(root, directory, where=directory, field="(folder)")
    if not directory.is_dir():
        raise BundleError(str(directory), "(folder)", "question folder missing")
    spec = read_yaml(inside_bundle(root, spec_path, where=spec_path, field="(file)"))
    kind = spec.get("kind")
    if not isinstance(kind, str):
        raise BundleError(str(spec_path), "kind", "missing")
    localized(spec.get("title"), spec_path, "title")
    points = spec.get("points", 1)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
        raise BundleError(str(spec_path), "points", "must be a number >= 0")
    prompts = _read_prompts(directory, spec, spec_path)
    files: dict[str, str] = {}
    if kind == "code":
        for name in CODE_FILES:
            filename = spec.get(name, f"{name}.py")
            file_path = question_file(directory, filename, field=name)
            if not file_path.is_file():
                raise BundleError(str(spec_path), name, f"file {filename!r} not found")
            try:
                files[name] = file_path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise BundleError(str(file_path), "(file)", "not UTF-8 text") from None
    digest = hashlib.sha256()
    digest.update(spec_path.read_bytes())
    for key in sorted(prompts):
        digest.update(prompts[key].encode("utf-8"))
    for key in sorted(files):
        digest.update(files[key].encode("utf-8"))
    return QuestionSource(slug, kind, spec, directory, prompts, files, digest.hexdigest())


def _read_prompts(directory: Path, spec: dict[str, Any], spec_path: Path) -> dict[str, str]:
    inline = spec.get("prompt")
    if inline is not None:
        return localized(inline, spec_path, "prompt")
    prompts = {}
    for lang in LANGS:
        prompt_path = directory / f"prompt.{lang}.md"
        inside_bundle(directory.parent.parent, prompt_path, where=prompt_path, field="(file)")
        if not prompt_path.is_file():
            raise BundleError(str(prompt_path), "(file)", "missing (or give prompt: {ko, en})")
        try:
            prompts[lang] = prompt_path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise BundleError(str(prompt_path), "(file)", "not UTF-8 text") from None
    return prompts
