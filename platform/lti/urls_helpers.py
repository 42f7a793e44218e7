"""The absolute URLs of the tool, as the LMS must be told them."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class ToolUrls:
    login: str
    launch: str
    jwks: str
    deep_linking: str
    canvas_config: str


def tool_urls(request: HttpRequest) -> ToolUrls:
    # Absolute URLs from the request: behind a TLS proxy Django must see the original host and
    # scheme (ALLOWED_HOSTS, X-Forwarded-Proto), or the LMS gets http:// URLs (docs/LTI.md).
    def absolute(name: str) -> str:
        return request.build_absolute_uri(reverse(name))

    launch = absolute("lti:launch")
    return ToolUrls(
        login=absolute("lti:login"),
        launch=launch,
        jwks=absolute("lti:jwks"),
        deep_linking=launch,
        canvas_config=absolute("lti:canvas_config"),
    )
