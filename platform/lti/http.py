"""Outgoing HTTP to the platforms (their key sets, token and AGS endpoints).

Every request the tool makes goes through ``platform_http_session``, because the URLs come from
registrations and launches, i.e. from whoever registered a platform:
- the URL is checked (``lti.url_policy``) before sending, and the address each connection really
  reached is checked again, so a name that resolves to a public address for the check and an
  internal one for the connection (DNS rebinding) gains nothing;
- redirects are not followed (they could lead anywhere; LMS endpoints answer directly);
- time and size are bounded: connect and read timeouts plus a deadline for the whole body, and a
  cap on its size, so a hostile "LMS" cannot hold a web process or worker or fill its memory.
With an egress proxy configured (HTTPS_PROXY), the connection goes to the proxy: then only the
check of the URL's host name applies."""

from __future__ import annotations

import time
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from pylti1p3.service_connector import REQUESTS_USER_AGENT
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from lti.url_policy import UnsafeUrl, connected_address_check, platform_url_check

READ_CHUNK_BYTES = 64 * 1024


class OutboundRefused(requests.RequestException):
    """The tool refused to send a request or to accept its reply; the message says why. Not a
    temporary failure: retrying will not change it."""


class _AddressCheckedConnection(HTTPConnection):
    def _new_conn(self) -> Any:
        sock = super()._new_conn()
        try:
            connected_address_check(host=self.host, address=sock.getpeername()[0])
        except UnsafeUrl:
            sock.close()
            raise  # not an OSError: urllib3 passes it through instead of retrying
        return sock


class _AddressCheckedHTTPSConnection(_AddressCheckedConnection, HTTPSConnection):
    pass


class _AddressCheckedPool(HTTPConnectionPool):
    ConnectionCls = _AddressCheckedConnection


class _AddressCheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _AddressCheckedHTTPSConnection


class _AddressCheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _AddressCheckedPool,
            "https": _AddressCheckedHTTPSPool,
        }


def _body_read(response: requests.Response, *, deadline: float) -> bytes:
    """The whole body within the size cap and the deadline. ``read1`` returns after one socket
    read, so a server dripping a byte at a time still meets the deadline check."""
    limit = settings.LTI_HTTP_MAX_BYTES
    too_large = OutboundRefused(
        _("The reply from %(url)s is larger than %(limit)s bytes.")
        % {"url": response.url, "limit": limit}
    )
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    while chunk := response.raw.read1(READ_CHUNK_BYTES, decode_content=True):
        body += chunk
        if len(body) > limit:
            raise too_large
        if time.monotonic() > deadline:
            raise OutboundRefused(
                _("%(url)s did not answer within %(seconds)s seconds.")
                % {"url": response.url, "seconds": settings.LTI_HTTP_TIMEOUT_SECONDS}
            )
    return bytes(body)


class _PlatformSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        for scheme in ("http://", "https://"):
            self.mount(scheme, _AddressCheckedAdapter())

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        seconds = settings.LTI_HTTP_TIMEOUT_SECONDS
        deadline = time.monotonic() + seconds
        kwargs.update(allow_redirects=False, stream=True)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = seconds
        try:
            platform_url_check(str(request.url))
            response = super().send(request, **kwargs)
        except UnsafeUrl as exc:
            raise OutboundRefused(" ".join(exc.messages), request=request) from exc
        try:
            if response.is_redirect:
                raise OutboundRefused(
                    _("%(url)s answered with a redirect, which this tool does not follow.")
                    % {"url": request.url}
                )
            content = _body_read(response, deadline=deadline)
        finally:
            response.close()
        # What ``Response.content`` returns once read; set here because we read it ourselves.
        response._content = content  # type: ignore[attr-defined]
        response._content_consumed = True  # type: ignore[attr-defined]
        return response


def platform_http_session() -> requests.Session:
    session = _PlatformSession()
    session.headers["User-Agent"] = f"dlgrade-lti ({REQUESTS_USER_AGENT})"
    return session
