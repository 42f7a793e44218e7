"""One error type for everything an author has to fix, with the file and field it is about."""

from __future__ import annotations

from pathlib import Path

from core.errors import UserError

from grader.errors import BundleError


class AuthoringError(UserError):
    """``message`` is shown as-is; ``form_field`` (when known) puts it next to that form input."""

    def __init__(self, message: str, *, form_field: str | None = None, status: int | None = None) -> None:
        super().__init__(message, status=status, field=form_field)

    @property
    def form_field(self) -> str | None:  # the authoring pages' name for ``field``
        return self.field


def relative_where(path: str, root: Path) -> str:
    """Paths inside scratch folders mean nothing to an author: show them relative to the bundle."""
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).name


# Which form input a broken (file, field) belongs to, so the message appears where it is fixed.
_FILE_FIELDS = {
    "prompt.ko.md": "prompt_ko", "prompt.en.md": "prompt_en",
    "template.py": "template_code", "reference.py": "reference_code", "probes.py": "probes_code",
}
_SPEC_FIELDS = {
    "title.ko": "title_ko", "title.en": "title_en", "title": "title_ko", "points": "points",
    "prompt.ko": "prompt_ko", "prompt.en": "prompt_en", "kind": "kind",
    "template": "template_code", "reference": "reference_code", "probes": "probes_code",
}


def form_field_for(where: str, field: str) -> str | None:
    name = Path(where).name
    if name in _FILE_FIELDS:
        return _FILE_FIELDS[name]
    if name == "question.yaml":
        return _SPEC_FIELDS.get(field, "spec_yaml")
    if name == "bundle.yaml":
        return {"title.ko": "title_ko", "title.en": "title_en", "slug": "slug"}.get(field)
    return None


def authoring_error_from(error: BundleError, root: Path) -> AuthoringError:
    where = relative_where(error.path, root)
    return AuthoringError(f"{where}: {error.field}: {error.problem}",
                          form_field=form_field_for(where, error.field))
