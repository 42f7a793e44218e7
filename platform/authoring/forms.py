"""Django forms of the authoring pages: they parse and bound the inputs; services decide validity."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from authoring.drafts import KIND_LABELS, QuestionDraft, interface_lang, kind_files
from authoring.zipio import MAX_ZIP_BYTES
from kinds import KINDS

MAX_FIELD_CHARS = 200_000


def _text(**kwargs: object) -> forms.CharField:
    return forms.CharField(strip=False, required=False, max_length=MAX_FIELD_CHARS,
                           widget=forms.Textarea(attrs={"rows": 8}), **kwargs)  # type: ignore[arg-type]


def _lf(value: str) -> str:
    return (value or "").replace("\r\n", "\n")


def file_field_name(name: str) -> str:
    """The form input of one of a kind's files (``template`` -> ``template_code``)."""
    return f"{name}_code"


def _file_label(kind: str, name: str) -> str:
    return KINDS[kind].file_help(name, interface_lang())


def _file_fields() -> dict[str, tuple[str, str]]:
    """One text input per file any kind declares (``QuestionKind.files``): input -> (kind, file)."""
    fields: dict[str, tuple[str, str]] = {}
    for kind in KINDS.values():
        for name in kind.files:
            fields.setdefault(file_field_name(name), (kind.name, name))
    return fields


FILE_FIELDS = _file_fields()


class BundleMetaForm(forms.Form):
    slug = forms.CharField(label=_("Slug"), max_length=50, required=False,
                           help_text=_("lowercase letters, digits and hyphens; cannot change later"))
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description_ko = forms.CharField(label=_("Description (Korean)"), required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    description_en = forms.CharField(label=_("Description (English)"), required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 3}))

    def texts(self, name: str) -> dict[str, str]:
        return {lang: self.cleaned_data.get(f"{name}_{lang}", "") for lang in ("ko", "en")}


class QuestionForm(forms.Form):
    slug = forms.CharField(label=_("Slug"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=list(KIND_LABELS.items()))
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    points = forms.FloatField(label=_("Points"), min_value=0, initial=1)
    prompt_ko = _text(label=_("Prompt (Korean, Markdown + $math$)"))
    prompt_en = _text(label=_("Prompt (English, Markdown + $math$)"))
    spec_yaml = _text(label=_("Kind settings (YAML)"))
    revision = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field_name, (kind, name) in FILE_FIELDS.items():  # code: template, reference, probes
            self.fields[field_name] = _text(label=lazy(_file_label, str)(kind, name))

    def file_fields(self, kind: str) -> list[forms.BoundField]:
        """The inputs of the files ``kind`` has, in the kind's order."""
        return [self[file_field_name(name)] for name in kind_files(kind)]

    def draft(self) -> QuestionDraft:
        data = self.cleaned_data
        kind = data["kind"]
        files = {name: _lf(data.get(file_field_name(name), "")) for name in kind_files(kind)}
        return QuestionDraft(
            slug=(data.get("slug") or "").strip(), kind=kind,
            title={lang: data.get(f"title_{lang}", "") for lang in ("ko", "en")},
            points=float(data["points"]),
            prompts={lang: _lf(data.get(f"prompt_{lang}", "")) for lang in ("ko", "en")},
            spec_yaml=_lf(data.get("spec_yaml", "")), files=files,
        )

    @classmethod
    def from_draft(cls, draft: QuestionDraft, revision: str = "") -> QuestionForm:
        return cls(initial={
            "slug": draft.slug, "kind": draft.kind, "title_ko": draft.title.get("ko", ""),
            "title_en": draft.title.get("en", ""), "points": draft.points,
            "prompt_ko": draft.prompts.get("ko", ""), "prompt_en": draft.prompts.get("en", ""),
            "spec_yaml": draft.spec_yaml,
            **{field_name: draft.files.get(name, "") for field_name, (_kind, name) in FILE_FIELDS.items()},
            "revision": revision,
        })


class ZipImportForm(forms.Form):
    bundle = forms.FileField(label=_("Bundle zip"))
    replace = forms.BooleanField(label=_("Replace the course's bundle with the same slug"), required=False)

    def clean_bundle(self) -> object:
        upload = self.cleaned_data["bundle"]
        if upload.size > MAX_ZIP_BYTES:
            raise forms.ValidationError(_("The zip is larger than %(limit)s bytes.") % {"limit": f"{MAX_ZIP_BYTES:,}"})
        return upload
