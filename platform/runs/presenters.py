"""What the page shows of a run: the status reply the code page polls, with the result rendered
server-side (``runs/_result.html``) in the reader's language. The stored result comes from a
sandboxed job: every field is read defensively, and the template escapes all of it."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from runs.crosscheck import crosscheck_views
from runs.models import CodeRun

TERMINATIONS = {
    "timeout": lambda: _("Your code ran longer than the time limit and was stopped — an endless loop?"),
    "memory": lambda: _("Your code used more memory than allowed and was stopped."),
    "output": lambda: _("Your code printed more than allowed; the output was cut off and the run stopped."),
    "killed": lambda: _("Your code was stopped by the sandbox."),
    "protocol": lambda: _("The runner could not read what your code returned."),
    "rejected": lambda: _("Your code was not run."),
}
WHERE = {
    "module": lambda: _("in your code"),
    "scratch": lambda: _("in the scratch cell"),
    "example": lambda: _("while running an example"),
}


def _text(value: Any, lang: str) -> str:
    """A ``{"ko", "en"}`` text (or plain text) in the reader's language."""
    if isinstance(value, dict):
        chosen = value.get(lang) or value.get("en") or value.get("ko") or ""
        return chosen if isinstance(chosen, str) else ""
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _array(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict) or "shape" not in value:
        return None
    shape = value.get("shape") if isinstance(value.get("shape"), list) else []
    dims = [str(d) for d in shape if _int(d) is not None]
    return {
        "shape": "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")",
        "dtype": str(value.get("dtype") or ""),
        "text": str(value.get("text") or ""),
        "size": _int(value.get("size")),
        "min": value.get("min") if isinstance(value.get("min"), int | float) else None,
        "max": value.get("max") if isinstance(value.get("max"), int | float) else None,
    }


def _error(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    where = value.get("where")
    traceback = value.get("traceback") if isinstance(value.get("traceback"), list) else []
    return {
        "type": str(value.get("type") or ""),
        "message": str(value.get("message") or ""),
        "line": _int(value.get("line")),
        "where": where if where in WHERE else "",
        "where_label": WHERE[where]() if where in WHERE else "",
        "traceback": "".join(str(line) for line in traceback),
    }


def _match(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def run_result_view(result: dict[str, Any], lang: str) -> dict[str, Any]:
    termination = result.get("termination") if isinstance(result.get("termination"), str) else "ok"
    message = _text(result.get("message"), lang)
    headline = TERMINATIONS[termination]() if termination in TERMINATIONS else ""
    examples = []
    for example in result.get("examples") or []:
        if not isinstance(example, dict):
            continue
        arrays = [
            {"key": str(item.get("key") or ""), "label": _text(item.get("label"), lang) or str(item.get("key") or ""),
             "student": _array(item.get("student")), "expected": _array(item.get("expected")),
             "match": _match(item.get("match"))}
            for item in example.get("arrays") or [] if isinstance(item, dict)
        ]
        examples.append({
            "name": str(example.get("name") or ""), "title": _text(example.get("title"), lang),
            "passed": _match(example.get("passed")), "error": _error(example.get("error")), "arrays": arrays,
        })
    scratch = result.get("scratch") if isinstance(result.get("scratch"), dict) else {}
    scratch_value = scratch.get("value")
    ms = result.get("ms")
    return {
        "termination": termination,
        "headline": headline,
        "message": message if message != headline else "",
        "output": str(result.get("output") or ""),
        "output_truncated": bool(result.get("output_truncated")),
        "error": _error(result.get("error")),
        "examples": examples,
        "scratch": {
            "ran": bool(scratch.get("ran")),
            "array": _array(scratch_value),
            "repr": str(scratch_value.get("repr") or "") if isinstance(scratch_value, dict)
            and "repr" in scratch_value else None,
            "error": _error(scratch.get("error")),
        },
        "ms": round(float(ms)) if isinstance(ms, int | float) else None,
        "crosschecks": crosscheck_views(result, lambda text: _text(text, lang)),
    }


def run_status_payload(run: CodeRun) -> dict[str, Any]:
    """The status endpoint's reply: the state, and once final the rendered result."""
    lang = (get_language() or run.lang or "ko")[:2]
    final = run.status in CodeRun.FINAL
    payload: dict[str, Any] = {
        "id": run.pk, "status": run.status, "status_label": run.get_status_display(), "final": final,
        "status_url": reverse("runs:status", args=[run.pk]), "html": None, "error_line": None, "message": "",
    }
    if run.status == CodeRun.Status.QUEUED and run.enqueued_at is None:
        payload["message"] = _("The runner is unavailable right now; your run starts when it is back.")
    if run.status == CodeRun.Status.ERROR:
        payload["message"] = _(run.error_message) if run.error_message else _("Could not run")
    if run.status == CodeRun.Status.DONE and isinstance(run.result, dict):
        view = run_result_view(run.result, lang)
        error = view["error"]
        if error and error["where"] == "module" and error["line"]:
            payload["error_line"] = error["line"]
        payload["ms"] = view["ms"]
        payload["termination"] = view["termination"]
        payload["html"] = render_to_string("runs/_result.html", {"run": view})
    return payload
