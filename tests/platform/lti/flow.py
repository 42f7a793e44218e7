"""Fixtures and helpers for the LTI tests: the simulator, a registration of it, and the browser
side of the OIDC flow driven through Django's test client. Imported by each test module (the
shared conftest files belong to others) as ``lms_fixture`` and ``registration_fixture``, which
pytest registers as the ``lms`` and ``registration`` fixtures."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any

import jwt
import pytest
from django.http import HttpResponse
from django.test import Client
from lti.models import LtiRegistration
from lti.services.registration import PlatformDetails, registration_save

from tests.platform.lti.simulator import LmsSimulator

LAUNCH_URL = "http://testserver/lti/launch/"


@pytest.fixture(name="lms")
def lms_fixture(settings: Any) -> Iterator[LmsSimulator]:
    # The simulator is on this machine: allow its host name, explicitly (the default refuses).
    settings.LTI_PRIVATE_HOSTS = ["localhost"]
    simulator = LmsSimulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture(name="registration")
def registration_fixture(lms: LmsSimulator, instructor: Any, course: Any) -> LtiRegistration:
    row = registration_save(
        details=PlatformDetails(
            title="Simulated LMS",
            issuer=lms.issuer,
            client_id=lms.client_id,
            auth_login_url=lms.auth_login_url,
            auth_token_url=lms.token_url,
            key_set_url=lms.jwks_url,
            deployment_ids=[lms.deployment_id],
        ),
        user=instructor,
        course=course,
    )
    # The platform learns the tool's keys the way Moodle and Canvas do: from our JWKS endpoint.
    lms.tool_jwks = Client().get("/lti/jwks/").json()
    return row


def courses_created_by(registration: LtiRegistration) -> LtiRegistration:
    """Turn on the registration's option to create a course for an unlinked LMS course."""
    registration.creates_courses = True
    registration.save(update_fields=["creates_courses"])
    return registration


@dataclass
class Launch:
    response: HttpResponse
    id_token: str
    state: str
    claims: dict[str, Any]


def oidc_login(
    client: Client, lms: LmsSimulator, *, sub: str, issuer: str | None = None, secure: bool = False
) -> HttpResponse:
    """Step 1: the LMS sends the browser to our login initiation URL (a cross-site form POST)."""
    return client.post(
        "/lti/login/",
        secure=secure,
        data={
            "iss": issuer or lms.issuer,
            "login_hint": sub,
            "target_link_uri": LAUNCH_URL,
            "lti_message_hint": "hint-123",
            "client_id": lms.client_id,
            "lti_deployment_id": lms.deployment_id,
        },
    )


def lti_launch(
    client: Client,
    lms: LmsSimulator,
    *,
    sub: str,
    roles: list[str],
    edit: Callable[[dict[str, Any]], None] | None = None,
    key: Any = None,
    poster: Client | None = None,
    secure: bool = False,
    **claim_options: Any,
) -> Launch:
    """The whole OIDC flow: login initiation -> authentication request (checked by the LMS) ->
    id_token signed by the LMS -> form POST to our launch URL. ``edit`` tampers with the claims;
    ``poster`` is another browser posting the launch."""
    launch_url = LAUNCH_URL.replace("http:", "https:") if secure else LAUNCH_URL
    login = oidc_login(client, lms, sub=sub, secure=secure)
    assert login.status_code == 302, login.content
    params = lms.authorize(login["Location"], expected_redirect_uri=launch_url)
    claims = lms.claims(
        nonce=params["nonce"], sub=sub, roles=roles, target_link_uri=launch_url, **claim_options
    )
    if edit is not None:
        edit(claims)
    id_token = lms.sign(claims, key=key)
    response = (poster or client).post(
        params["redirect_uri"], {"id_token": id_token, "state": params["state"]}, secure=secure
    )
    return Launch(response=response, id_token=id_token, state=params["state"], claims=claims)


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def returned_form(html: bytes) -> tuple[str, str]:
    """The (action, JWT) of the auto-submitting form that carries a deep-linking response."""
    text = html.decode()
    action = re.search(r'<form id="lti-deep-link-return" action="([^"]+)"', text)
    token = re.search(r'name="JWT" value="([^"]+)"', text)
    assert action and token, text
    return unescape(action.group(1)), token.group(1)


def verify_with_tool_jwks(token: str, lms: LmsSimulator) -> dict[str, Any]:
    """What the LMS does: find our key by kid in our published JWKS and check the signature."""
    kid = jwt.get_unverified_header(token)["kid"]
    (key,) = [key for key in lms.tool_jwks["keys"] if key["kid"] == kid]
    return jwt.decode(
        token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=lms.issuer, issuer=lms.client_id
    )
