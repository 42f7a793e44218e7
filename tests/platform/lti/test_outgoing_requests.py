"""The URL rules (lti.url_policy) and the session every outgoing LTI request uses (lti.http).
Attacks through the web pages are in tests/platform/hostile_http/test_lti_attacks.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import translation
from lti import url_policy
from lti.http import OutboundRefused, platform_http_session
from lti.url_policy import UnsafeUrl, address_is_public, browser_url_check, platform_url_check


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):  # outside a request the site speaks Korean
        yield


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),  # shared address space (carrier NAT)
        ("0.0.0.0", False),
        ("224.0.0.251", False),  # multicast: "global" to the ipaddress module
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
    ],
)
def test_addresses(address, public):
    assert address_is_public(address) is public


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://lms.example/x",
        "https://",
        "https:x",
        "https://lms.example/\nx",
        "",
        "http://[::1/",
    ],
)
def test_browser_urls_are_http_or_https_only(url):
    with pytest.raises(UnsafeUrl):
        browser_url_check(url)


def test_http_is_for_development(settings):
    url = "http://lms.example/return"
    assert browser_url_check(url) == url
    settings.LTI_ALLOW_HTTP_URLS = False
    with pytest.raises(UnsafeUrl, match="Only https://"):
        browser_url_check(url)
    assert browser_url_check("https://lms.example/return")


def test_private_hosts_are_allowed_only_when_the_settings_say_so(settings):
    with pytest.raises(UnsafeUrl, match="internal address"):
        platform_url_check("http://localhost:8080/jwks")
    settings.LTI_PRIVATE_HOSTS = ["localhost"]
    assert platform_url_check("http://localhost:8080/jwks")
    with pytest.raises(UnsafeUrl):
        platform_url_check("http://127.0.0.1:8080/jwks")  # the allow-list names hosts
    settings.LTI_PRIVATE_HOSTS = []
    settings.LTI_ALLOW_PRIVATE_URLS = True
    assert platform_url_check("http://127.0.0.1:8080/jwks")


def test_a_name_that_does_not_resolve_passes_the_check():
    # It cannot be reached either; each connection's address is checked when it is made.
    assert platform_url_check("https://lms.invalid/jwks")


class Recorder:
    def __init__(self) -> None:
        self.paths: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                recorder.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    service = Recorder()
    yield service
    service.server.shutdown()
    service.server.server_close()


def test_the_session_refuses_before_connecting(recorder):
    with pytest.raises(OutboundRefused, match="internal address"):
        platform_http_session().get(f"http://127.0.0.1:{recorder.port}/x")
    assert recorder.paths == []


def test_the_connected_address_is_checked_too(recorder, monkeypatch):
    # DNS rebinding: the name resolves to a public address for the check, then to 127.0.0.1.
    monkeypatch.setattr(url_policy, "_addresses", lambda host: ["93.184.215.14"])
    with pytest.raises(OutboundRefused, match="internal address"):
        platform_http_session().get(f"http://localhost:{recorder.port}/x")
    assert recorder.paths == []


def test_an_allowed_host_is_reached(recorder, settings):
    settings.LTI_PRIVATE_HOSTS = ["localhost"]
    response = platform_http_session().get(f"http://localhost:{recorder.port}/x")
    assert response.status_code == 200 and response.json() == {} and recorder.paths == ["/x"]
