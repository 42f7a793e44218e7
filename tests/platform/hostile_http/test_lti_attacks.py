"""Attacks through the LTI tool by someone who registers their own "LMS" (any instructor can):
requests to internal services from the web process (key set) and the worker (line item), hostile
key sets, a ``javascript:`` deep-linking return URL, and courses made for unknown LMS courses.

The LMS simulator runs on this machine, which the tool refuses by default: tests that need it
allow its host name (``localhost``) explicitly; 127.0.0.1 stands for an internal service."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from courses.models import Course, Enrollment
from django.utils import timezone
from lti.models import LtiContext, LtiGradeSync, LtiRegistration, LtiResourceLink, LtiUser
from lti.services.grades import grade_sync_send
from lti.services.registration import PlatformDetails, context_link, registration_save

from tests.platform.conftest import make_user
from tests.platform.hostile_http.helpers import client_for
from tests.platform.lti.flow import logged_in_user_id, lti_launch
from tests.platform.lti.simulator import INSTRUCTOR, LEARNER, LmsSimulator, new_sub

SECRET = "internal-admin-token=s3cr3t"


class InternalService:
    """Something on the tool's network that outsiders must not reach: records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                service.requests.append((self.command, self.path))
                body = SECRET.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def internal() -> Iterator[InternalService]:
    service = InternalService()
    yield service
    service.stop()


@pytest.fixture
def lms() -> Iterator[LmsSimulator]:
    """The simulator without the allow-list the LTI tests' fixture sets: each test says."""
    simulator = LmsSimulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture
def allow_simulator(settings: Any) -> None:
    settings.LTI_PRIVATE_HOSTS = ["localhost"]


@pytest.fixture
def attacker(db: None):  # type: ignore[no-untyped-def]
    """An instructor of their own course: allowed to register platforms."""
    user = make_user("mallory")
    own = Course.objects.create(slug="mallory", title="Mallory's", join_code="MALLORY2")
    Enrollment.objects.create(course=own, user=user, role=Enrollment.Role.INSTRUCTOR)
    user.own_course = own
    return user


def platform_form(lms: LmsSimulator, **changes: str) -> dict[str, str]:
    return {
        "action": "register",
        "title": "Totally a Moodle",
        "issuer": lms.issuer,
        "client_id": lms.client_id,
        "auth_login_url": lms.auth_login_url,
        "auth_token_url": lms.token_url,
        "key_set_url": lms.jwks_url,
        "deployment_ids": lms.deployment_id,
        **changes,
    }


def register_by_form(attacker, lms: LmsSimulator, **changes: str):  # type: ignore[no-untyped-def]
    return client_for(attacker).post(
        f"/lti/courses/{attacker.own_course.pk}/", platform_form(lms, **changes)
    )


def registered(attacker, lms: LmsSimulator, **changes: str) -> LtiRegistration:  # type: ignore[no-untyped-def]
    """A registration as stored by an earlier version that checked nothing (straight to the ORM)."""
    details = {
        "title": "Totally a Moodle",
        "issuer": lms.issuer,
        "client_id": lms.client_id,
        "auth_login_url": lms.auth_login_url,
        "auth_token_url": lms.token_url,
        "key_set_url": lms.jwks_url,
        "deployment_ids": [lms.deployment_id],
        **changes,
    }
    return registration_save(
        details=PlatformDetails(**details), user=attacker, course=attacker.own_course
    )


def assert_refused(launch, client, *reasons: str) -> str:  # type: ignore[no-untyped-def]
    page = launch.response.content.decode()
    assert launch.response.status_code == 400, page
    for reason in reasons:
        assert reason in page, page
    assert logged_in_user_id(client) is None and not LtiUser.objects.exists()
    return page


# ---- finding 4: the tool as a proxy into the network (SSRF)

INTERNAL_URLS = [
    "http://127.0.0.1:8000/jwks",
    "http://localhost/jwks",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "http://10.1.2.3/jwks",
    "http://192.168.0.10/jwks",
    "http://[::1]/jwks",
    "http://[::ffff:127.0.0.1]/jwks",
    "http://2130706433/jwks",  # 127.0.0.1 written as a number
    "http://0x7f.1/jwks",
    "http://0.0.0.0/jwks",
    "http://224.0.0.1/jwks",  # multicast
]


@pytest.mark.parametrize("field", ["key_set_url", "auth_token_url"])
@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_a_platform_with_internal_urls_cannot_be_registered(attacker, lms, field, url):
    response = register_by_form(attacker, lms, **{field: url})
    assert response.status_code == 200
    errors = response.context["registration_form"].errors
    assert "internal address" in " ".join(errors.get(field, [])), errors
    assert not LtiRegistration.objects.exists()


def test_internal_urls_need_the_operator_to_allow_them(attacker, lms, settings):
    assert register_by_form(attacker, lms).status_code == 200  # localhost: refused by default
    settings.LTI_PRIVATE_HOSTS = ["localhost"]
    assert register_by_form(attacker, lms).status_code == 302
    assert LtiRegistration.objects.get().key_set_url == lms.jwks_url


def test_production_accepts_only_https_platform_urls(attacker, lms, settings):
    settings.LTI_ALLOW_HTTP_URLS = False
    response = register_by_form(
        attacker,
        lms,
        key_set_url="http://93.184.215.14/jwks",
        auth_login_url="http://lms.example/auth",
    )
    errors = response.context["registration_form"].errors
    assert "Only https:// URLs" in " ".join(errors["key_set_url"])
    assert "Only https:// URLs" in " ".join(errors["auth_login_url"])
    assert not LtiRegistration.objects.exists()


def test_an_anonymous_launch_does_not_fetch_an_internal_key_set(attacker, lms, internal):
    # Stored before URLs were checked; the launch (anyone's browser, no login) must not fetch it.
    registered(attacker, lms, key_set_url=internal.url + "/admin/keys")
    client = client_for()
    launch = lti_launch(client, lms, sub=new_sub(), roles=[INSTRUCTOR])
    page = assert_refused(launch, client, "internal address")
    assert internal.requests == [] and SECRET not in page


def test_a_key_set_redirecting_inside_is_not_followed(attacker, lms, internal, allow_simulator):
    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", internal.url + "/admin/keys")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    lms.jwks_reply = redirect
    registered(attacker, lms)
    client = client_for()
    launch = lti_launch(client, lms, sub=new_sub(), roles=[INSTRUCTOR])
    assert_refused(launch, client, "redirect")
    assert internal.requests == []


@pytest.mark.parametrize(
    "lineitem",
    [
        "INTERNAL/lineitems/1",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials",
        "http://10.0.0.5/lineitems/1",
        "gopher://localhost:6379/_FLUSHALL",
    ],
)
def test_a_launch_cannot_point_grade_passback_inside(
    attacker, lms, internal, allow_simulator, course, lineitem
):
    registration = registered(attacker, lms)
    context_link(registration=registration, context_id="ctx-1", course=attacker.own_course)
    client = client_for()
    launch = lti_launch(
        client,
        lms,
        sub=new_sub(),
        roles=[LEARNER],
        lineitem=lineitem.replace("INTERNAL", internal.url),
    )
    assert_refused(launch, client, "The LMS sent a URL this tool does not use")
    assert not LtiResourceLink.objects.exists() and internal.requests == []


def test_the_worker_does_not_post_grades_inside(attacker, lms, internal, allow_simulator, course):
    # A line item stored before launches were checked: the worker's request is refused, for good.
    registration = registered(attacker, lms)
    context = context_link(registration=registration, context_id="c", course=attacker.own_course)
    from assessments.models import Assignment

    assignment = Assignment.objects.create(course=attacker.own_course, slug="a", title={"en": "A"})
    link = LtiResourceLink.objects.create(
        context=context,
        resource_link_id="r",
        assignment=assignment,
        lineitem_url=internal.url + "/admin/lineitem",
    )
    lti_user = LtiUser.objects.create(registration=registration, sub="s", user=attacker)
    sync = LtiGradeSync.objects.create(link=link, lti_user=lti_user, requested_at=timezone.now())
    lms.tool_jwks = client_for().get("/lti/jwks/").json()
    assert grade_sync_send(sync_id=sync.pk, worker="w/1") == "failed"  # no retry either
    assert internal.requests == []
    assert "internal address" in LtiGradeSync.objects.get().last_error


# ---- finding 4: hostile key sets are a clear refusal, never a 500 or an echo


def reply_with(body: bytes, *, content_type: str = "application/json", length: bool = True):  # type: ignore[no-untyped-def]
    def reply(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        else:
            handler.close_connection = True  # the body ends when the connection does
        handler.end_headers()
        handler.wfile.write(body)

    return reply


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{}", "is not a JSON key set"),
        (b'{"keys": "none"}', "is not a JSON key set"),
        (b"[1, 2]", "is not a JSON key set"),
        (SECRET.encode(), "is not a JSON key set"),
        (b"[" * 100_000, "is not a JSON key set"),
        (b'{"keys": [{"kid": "lms-key-1", "kty": "RSA", "n": "!!", "e": "AQAB"}]}', "base64"),
        (b'{"keys": [{"kid": "lms-key-1"}]}', "Unable to find public key"),
    ],
)
def test_a_malformed_key_set_is_a_clear_refusal(attacker, lms, allow_simulator, body, reason):
    lms.jwks_reply = reply_with(body)
    registered(attacker, lms)
    client = client_for()
    launch = lti_launch(client, lms, sub=new_sub(), roles=[INSTRUCTOR])
    page = assert_refused(launch, client, reason)
    assert SECRET not in page  # the reply is never shown back


@pytest.mark.parametrize("declared", [True, False])
def test_an_oversized_key_set_is_refused(attacker, lms, allow_simulator, settings, declared):
    settings.LTI_HTTP_MAX_BYTES = 64 * 1024
    # A real, usable key set, padded: without the cap the launch would go through.
    padded = {**lms.platform_jwks(), "padding": "x" * 100_000}
    lms.jwks_reply = reply_with(json.dumps(padded).encode(), length=declared)
    registered(attacker, lms)
    client = client_for()
    launch = lti_launch(client, lms, sub=new_sub(), roles=[INSTRUCTOR])
    assert_refused(launch, client, "is larger than 65536 bytes")


def test_a_key_set_dripping_slowly_is_cut_off(attacker, lms, allow_simulator, settings):
    settings.LTI_HTTP_TIMEOUT_SECONDS = 1

    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        try:
            for _ in range(20):  # a byte every 0.25 s: each read is quick, the whole is not
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.25)
        except OSError:
            pass  # the tool hung up

    lms.jwks_reply = drip
    registered(attacker, lms)
    client = client_for()
    started = time.monotonic()
    launch = lti_launch(client, lms, sub=new_sub(), roles=[INSTRUCTOR])
    assert time.monotonic() - started < 3.5
    assert_refused(launch, client, "did not answer within 1 seconds")


def test_a_key_set_with_an_hmac_key_cannot_confuse_the_signature_check(
    attacker, lms, allow_simulator
):
    # The "HS256" key carries the platform's real public key: PyJWT would be asked to use a PEM
    # as an HMAC secret and fail with an unhandled error (a 500).
    jwks = lms.platform_jwks()
    jwks["keys"][0]["alg"] = "HS256"
    lms.jwks_reply = reply_with(json.dumps(jwks).encode())
    lms.sign = lambda body, key=None: jwt.encode(  # type: ignore[method-assign]
        body, "k" * 32, algorithm="HS256", headers={"kid": lms.kid}
    )
    registered(attacker, lms)
    client = client_for()
    launch = lti_launch(client, lms, sub=new_sub(), roles=[INSTRUCTOR])
    assert_refused(launch, client, "Unable to find public key")


# ---- finding 3: a javascript: deep-linking return URL


@pytest.mark.parametrize(
    "return_url",
    [
        "javascript:alert(document.domain)//",
        " JavaScript:alert(document.domain)",
        "java\tscript:alert(document.domain)",
        "data:text/html,<script>alert(document.domain)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/return",
        "",
    ],
)
def test_a_deep_linking_return_url_must_be_http(attacker, lms, allow_simulator, return_url):
    registration = registered(attacker, lms)
    context_link(registration=registration, context_id="ctx-1", course=attacker.own_course)

    def hostile(claims: dict[str, Any]) -> None:
        settings = claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
        settings["deep_link_return_url"] = return_url

    client = client_for()
    launch = lti_launch(
        client,
        lms,
        sub=new_sub(),
        roles=[INSTRUCTOR],
        message_type="LtiDeepLinkingRequest",
        edit=hostile,
    )
    page = assert_refused(launch, client, "The LMS sent a URL this tool does not use")
    assert 'action="javascript' not in page.lower()
    stored = client.session.keys()  # a SessionStore is not iterable itself
    assert not any(key.startswith("lti-deep-link-") for key in stored)


def test_the_refusal_is_korean_too(attacker, lms, allow_simulator):
    registration = registered(attacker, lms)
    context_link(registration=registration, context_id="ctx-1", course=attacker.own_course)

    def hostile(claims: dict[str, Any]) -> None:
        settings = claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
        settings["deep_link_return_url"] = "javascript:alert(1)"

    client = client_for(lang="ko")
    launch = lti_launch(
        client,
        lms,
        sub=new_sub(),
        roles=[INSTRUCTOR],
        message_type="LtiDeepLinkingRequest",
        edit=hostile,
    )
    assert_refused(launch, client, "LMS가 이 도구가 사용하지 않는 URL을 보냈습니다")


# ---- finding 8: a self-registered platform creating courses for unknown LMS courses


def test_a_registered_platform_creates_no_course_unless_its_owner_says_so(
    attacker, lms, allow_simulator
):
    assert register_by_form(attacker, lms).status_code == 302
    assert LtiRegistration.objects.get().creates_courses is False  # the default
    courses = Course.objects.count()
    client = client_for()
    launch = lti_launch(client, lms, sub=new_sub(), roles=[INSTRUCTOR], context_id="any-course")
    assert_refused(launch, client, "this platform does not create courses")
    assert Course.objects.count() == courses and not LtiContext.objects.exists()

    # The owner turns the option on (the checkbox): now the first instructor launch creates one.
    assert register_by_form(attacker, lms, creates_courses="on").status_code == 302
    client = client_for()
    launch = lti_launch(client, lms, sub=new_sub(), roles=[INSTRUCTOR], context_id="any-course")
    assert launch.response.status_code == 302
    assert Course.objects.count() == courses + 1
    assert LtiContext.objects.get().context_id == "any-course"
