"""JSON endpoints: one decorator for what every endpoint answers the same way.

``@json_endpoint("POST")`` on a view:

- no session (it ended, or never was): 401 ``{"error": ...}`` instead of a redirect to the login
  form, which a browser's ``fetch`` cannot follow;
- another method: 405 with ``Allow``;
- ``UserError`` raised anywhere below: ``{"error": message}`` (and ``"field"`` when it names a
  form input) with its status;
  ``Http404`` and ``PermissionDenied``: the same shape, 404 and 403.

``json_body(request)`` reads the request's JSON object inside the view, after the view has looked
up what the URL names (so a stranger gets 404 whatever the body): 415 unless the body is declared
``application/json`` (which keeps the endpoints out of reach of plain cross-site forms, a second
line behind the CSRF check), 413 / 400 for oversized, non-UTF-8 or malformed bodies.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import UserError

View = Callable[..., HttpResponse]

SESSION_ENDED = gettext_lazy("Your session has ended. Log in again.")


def json_error(message: str, status: int = 400, field: str | None = None) -> JsonResponse:
    """The one shape of every JSON failure: ``{"error": message}``, plus ``"field"`` when the
    message belongs to a form input (docs/WEB-CONTRACT.md)."""
    body: dict[str, str] = {"error": str(message)}
    if field is not None:
        body["field"] = field
    return JsonResponse(body, status=status)


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object, or a ``UserError`` (415, 413, 400) saying what is wrong with it."""
    if request.content_type != "application/json":
        raise UserError(_("The request must be JSON (Content-Type: application/json)."), status=415)
    try:
        raw = request.body
    except RequestDataTooBig:
        raise UserError(_("The request is too large."), status=413) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(_("The request is not UTF-8 text."), status=400) from None
    try:
        # NaN/Infinity are not JSON; absurd nesting would exhaust the interpreter's stack.
        data = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise UserError(_("The request is not valid JSON."), status=400) from None
    if not isinstance(data, dict):
        raise UserError(_("The request must be a JSON object."), status=400)
    return data


def json_endpoint(*methods: str, session_ended: str | Promise = SESSION_ENDED) -> Callable[[View], View]:
    """``methods``: the HTTP methods the view answers; ``session_ended``: the 401 text (a page
    may say what the browser keeps meanwhile)."""
    allowed = tuple(method.upper() for method in methods) or ("GET",)

    def decorate(view: View) -> View:
        @login_not_required  # answered below as JSON: the browser's fetch cannot follow a redirect to a form
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return json_error(str(session_ended), 401)
            if request.method not in allowed:
                response = json_error(_("Method not allowed."), 405)
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                return view(request, *args, **kwargs)
            except UserError as refused:
                return json_error(refused.message, refused.status, refused.field)
            except Http404:
                return json_error(_("Not found."), 404)
            except PermissionDenied:
                return json_error(_("You may not do this."), 403)

        return wrapper

    return decorate
