"""Outgoing HTTP to the platforms (their key sets, token and AGS endpoints)."""

from __future__ import annotations

from typing import Any

import requests
from pylti1p3.service_connector import REQUESTS_USER_AGENT

TIMEOUT_SECONDS = 10  # pylti1p3 sets none: a hung LMS must not hold a web process or worker forever


class _TimeoutSession(requests.Session):
    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(method, url, *args, **kwargs)


def platform_http_session() -> requests.Session:
    session = _TimeoutSession()
    session.headers["User-Agent"] = f"dlgrade-lti ({REQUESTS_USER_AGENT})"
    return session
