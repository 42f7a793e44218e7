"""JSON plumbing for the API endpoints: every failure is ``{"error": ...}`` with a 4xx status."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from submissions.services.errors import SubmitRefused

View = Callable[..., HttpResponse]
# What a browser's crypto.randomUUID() (or any sane client) sends; anything else is refused before
# it reaches the database (a NUL byte or a lone surrogate would crash the query instead).
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object, or ``SubmitRefused`` for oversized, non-UTF-8 or malformed bodies.

    Only ``application/json`` is read: the browser code always declares it, and refusing form and
    text bodies keeps these endpoints out of reach of plain cross-site forms as a second line
    behind the CSRF check.
    """
    if request.content_type != "application/json":
        raise SubmitRefused(_("The request must be JSON (Content-Type: application/json)."), status=415)
    try:
        raw = request.body
    except RequestDataTooBig:
        raise SubmitRefused(_("The request is too large."), status=413) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmitRefused(_("The request is not UTF-8 text."), status=400) from None
    try:
        # NaN/Infinity are not JSON; absurd nesting would exhaust the interpreter's stack.
        data = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise SubmitRefused(_("The request is not valid JSON."), status=400) from None
    if not isinstance(data, dict):
        raise SubmitRefused(_("The request must be a JSON object."), status=400)
    return data


def idempotency_key_from(data: dict[str, Any]) -> str:
    key = data.get("idempotency_key")
    if not isinstance(key, str) or not IDEMPOTENCY_KEY.fullmatch(key):
        raise SubmitRefused(_("The request needs an idempotency key."), status=400)
    return key


def json_endpoint(*methods: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @login_not_required  # answered below as JSON: the browser's fetch cannot follow a redirect to a form
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return json_error(_("Your session has ended. Log in again (your draft is kept in this browser)."), 401)
            if request.method not in methods:
                response = json_error(_("Method not allowed."), 405)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, **kwargs)
            except SubmitRefused as refused:
                return json_error(refused.message, refused.status)
            except Http404:
                return json_error(_("Not found."), 404)
            except PermissionDenied:
                return json_error(_("You may not do this."), 403)

        return wrapper

    return decorate
