"""Project-wide request guards that belong to no single app."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from core.http import json_error
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import translation
from django.utils.translation import gettext

# Databases stop at signed 64 bits; <int:...> in a URL accepts any number of digits, and a larger
# one makes the query raise (OverflowError on SQLite, DataError on Postgres): a 500, not a 404.
MAX_DATABASE_ID = 2**63 - 1


class BoundedUrlIdsMiddleware:
    """Answers 404 for any integer URL argument no row can have, before the view runs (as the
    JSON error of the web contract under ``/api/``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> HttpResponse | None:
        if not any(_beyond_database(value) for value in (*args, *kwargs.values())):
            return None
        if request.path.startswith("/api/"):
            return json_error(gettext("Not found."), 404)
        raise Http404


def _beyond_database(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > MAX_DATABASE_ID


class LocalOnlyWhileDebugMiddleware:
    """With DEBUG on, answer only the machine the server runs on: a DEBUG error page shows
    settings, source code and data to whoever reads it, so it must never reach another machine,
    however the development server was started. (``scripts/run.sh`` serves the network only with
    ``HOST=0.0.0.0``, and then with DEBUG off.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG and not _loopback(request.META.get("REMOTE_ADDR", "")):
            # before the locale is negotiated (nothing else may run): say it in both languages
            lines = []
            for lang in ("ko", "en"):
                with translation.override(lang):
                    lines.append(gettext("This development server (DEBUG on) answers only the machine it runs on."))
            return HttpResponseForbidden("\n".join(lines), content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False
