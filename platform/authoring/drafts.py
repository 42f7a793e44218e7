"""A question as the authoring form sees it, and its translation to and from a question folder.

The form edits the common fields (kind, title, points, prompts) one by one and the rest of
question.yaml as YAML text. Written back, question.yaml is the common fields followed by that text
verbatim, so an author's comments survive; a question whose content did not change keeps its bytes
(and so its content hash: no spurious new ``QuestionVersion``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.functional import lazy
from django.utils.translation import get_language

from authoring.errors import AuthoringError
from authoring.starters import STARTER_PROMPTS
from authoring.storage import bundle_files, file_write_atomic
from grader.bundle import LANGS, file_name_problem, question_file, read_yaml
from grader.errors import BundleError
from kinds import KINDS, QuestionKind

COMMON_KEYS = ("kind", "title", "points")


def interface_lang() -> str:
    return (get_language() or "ko")[:2]


def kind_label(name: str) -> str:
    """A kind's name in the interface language: the kind carries its own ko/en label."""
    kind = KINDS.get(name)
    return kind.label_text(interface_lang()) if kind is not None else name


# Every registered kind, in the registry's order, labelled by the kind itself (lazily: the
# language is the request's).
KIND_LABELS = {name: lazy(kind_label, str)(name) for name in KINDS}


def kind_files(kind: str) -> tuple[str, ...]:
    """The files besides question.yaml and the prompts that a kind's questions have (code:
    template, reference, probes); () for an unknown kind."""
    known: QuestionKind | None = KINDS.get(kind)
    return tuple(known.files) if known is not None else ()


@dataclass
class QuestionDraft:
    slug: str
    kind: str
    title: dict[str, str]
    points: float
    prompts: dict[str, str]
    spec_yaml: str  # question.yaml without the common fields
    files: dict[str, str] = field(default_factory=dict)  # code: template / reference / probes

    @property
    def is_code(self) -> bool:
        """Graded by the grader pipeline (the code editor and the reference run apply)."""
        kind = KINDS.get(self.kind)
        return kind is not None and kind.grading == "worker"


def question_draft_new(*, kind: str, slug: str = "") -> QuestionDraft:
    starter = KINDS[kind]
    return QuestionDraft(
        slug=slug, kind=kind, title={"ko": "", "en": ""}, points=1.0, prompts=dict(STARTER_PROMPTS),
        spec_yaml=starter.starter_yaml, files=starter.starter_files(),
    )


def _header(kind: str, title: dict[str, str], points: float) -> str:
    number: int | float = int(points) if float(points).is_integer() else float(points)
    head = {"kind": kind, "title": {lang: title.get(lang, "") for lang in LANGS}, "points": number}
    return yaml.safe_dump(head, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)


def _read_own_file(question_dir: Path, name: object) -> str:
    """A file of the question, or "" when it is missing or not the bundle's own (the grader decides)."""
    try:
        path = question_file(question_dir, name, field=str(name))
    except BundleError:
        return ""
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def question_draft_read(*, question_dir: Path) -> QuestionDraft:
    """Lenient on purpose: a question that does not validate yet must still open in the editor.

    Lenient about content, never about where files are: every file is read through the grader's
    rule, so a name or symlink that leads out of the bundle opens as an empty field.
    """
    try:
        spec = read_yaml(question_file(question_dir, "question.yaml", field="(file)"))
    except Exception:
        spec = {}
    raw = _read_own_file(question_dir, "question.yaml")
    kind = str(spec.get("kind") or "numeric")
    title = spec.get("title") if isinstance(spec.get("title"), dict) else {}
    points = spec.get("points", 1)
    points = float(points) if isinstance(points, (int, float)) and not isinstance(points, bool) else 1.0
    header = _header(kind, title, points)
    rest = {key: value for key, value in spec.items() if key not in (*COMMON_KEYS, "prompt")}
    if raw.startswith(header):  # written by us: keep the author's text and comments
        spec_yaml = raw[len(header):]
    else:
        spec_yaml = yaml.safe_dump(rest, sort_keys=False, allow_unicode=True, width=100) if rest else ""
    prompts = {}
    inline = spec.get("prompt") if isinstance(spec.get("prompt"), dict) else None
    for lang in LANGS:
        if inline is not None:
            prompts[lang] = str(inline.get(lang, ""))
        else:
            prompts[lang] = _read_own_file(question_dir, f"prompt.{lang}.md")
    files = {}
    for name in kind_files(kind):
        files[name] = _read_own_file(question_dir, spec.get(name, f"{name}.py"))
    return QuestionDraft(slug=question_dir.name, kind=kind, title={lang: str(title.get(lang, "")) for lang in LANGS},
                         points=points, prompts=prompts, spec_yaml=spec_yaml, files=files)


def spec_yaml_parse(text: str) -> dict[str, Any]:
    """The kind settings as a mapping, or an error naming the line."""
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise AuthoringError(f"kind settings (YAML): {where}{getattr(error, 'problem', None) or error}",
                             form_field="spec_yaml") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AuthoringError("kind settings (YAML): must be a mapping of fields (name: value)",
                             form_field="spec_yaml")
    for key in (*COMMON_KEYS, "prompt"):
        if key in data:
            raise AuthoringError(f"kind settings (YAML): {key}: set it in the form above, not here",
                                 form_field="spec_yaml")
    return data


def question_spec_compose(draft: QuestionDraft) -> tuple[dict[str, Any], str]:
    """The parsed spec and the question.yaml text the draft stands for."""
    rest = spec_yaml_parse(draft.spec_yaml)
    header = _header(draft.kind, draft.title, draft.points)
    text = draft.spec_yaml if draft.spec_yaml.endswith("\n") or not draft.spec_yaml else draft.spec_yaml + "\n"
    spec = {**yaml.safe_load(header), **rest}
    return spec, header + text


def code_file_names(spec: dict[str, Any]) -> dict[str, str]:
    """The file name of each of the kind's files (``spec[name]``, default ``<name>.py``)."""
    names = {}
    for name in kind_files(str(spec.get("kind") or "")):
        filename = spec.get(name, f"{name}.py")
        # The name is joined to a folder we write into: the loader's own rule for file names.
        problem = file_name_problem(filename)
        if problem is not None:
            raise AuthoringError(f"kind settings (YAML): {name}: {problem}", form_field="spec_yaml")
        names[name] = str(filename)
    return names


def question_draft_write(*, draft: QuestionDraft, question_dir: Path) -> None:
    """Write the draft into ``question_dir`` (a staging copy), leaving unchanged content alone."""
    spec, text = question_spec_compose(draft)
    spec_path = question_dir / "question.yaml"
    try:
        old_spec = read_yaml(spec_path) if spec_path.is_file() else None
    except Exception:
        old_spec = None
    inline_prompt = (old_spec or {}).get("prompt")
    old_prompts = inline_prompt if isinstance(inline_prompt, dict) else None
    old_core = {k: v for k, v in (old_spec or {}).items() if k != "prompt"}
    old_text = spec_path.read_text(encoding="utf-8", errors="replace") if spec_path.is_file() else ""
    # A file in our own layout is compared as text (so an edited comment is saved); any other
    # layout (written by hand, from git) only by meaning, so opening and saving it changes nothing.
    ours = old_text.startswith(_header(draft.kind, draft.title, draft.points))
    if (old_spec is None or old_core != spec or (ours and old_text != text)
            or (old_prompts is not None and old_prompts != draft.prompts)):
        # Changed: prompts move to their files (the README's default layout), the YAML is rewritten.
        file_write_atomic(spec_path, text)
        old_prompts = None
    if old_prompts is None:
        for lang in LANGS:
            _write_if_changed(question_dir / f"prompt.{lang}.md", draft.prompts.get(lang, ""))
    for name, filename in code_file_names(spec).items():
        _write_if_changed(question_dir / filename, draft.files.get(name, ""))


def _write_if_changed(path: Path, content: str) -> None:
    content = content.replace("\r\n", "\n")  # browsers post CRLF; the bundle in git has LF
    if path.is_file() and path.read_bytes() == content.encode("utf-8"):
        return
    file_write_atomic(path, content)


def folder_revision(directory: Path) -> str:
    """A fingerprint of a folder's files: the editor sends it back to notice concurrent edits."""
    digest = hashlib.sha256()
    if directory.is_dir():
        for relative in bundle_files(directory):
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update((directory / relative).read_bytes() + b"\0")
    return digest.hexdigest()[:16]
