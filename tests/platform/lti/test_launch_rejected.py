"""Launches that must be refused: nothing created, nobody logged in."""

from __future__ import annotations

import time

from django.test import Client
from lti.models import LtiUser

from tests.platform.lti.flow import (  # noqa: F401 (fixtures)
    courses_created_by,
    lms_fixture,
    logged_in_user_id,
    lti_launch,
    oidc_login,
    registration_fixture,
)
from tests.platform.lti.simulator import INSTRUCTOR, rsa_key


def assert_refused(launch, client, reason: bytes) -> None:  # type: ignore[no-untyped-def]
    assert launch.response.status_code == 400, launch.response.content
    assert reason in launch.response.content, launch.response.content
    assert logged_in_user_id(client) is None
    assert not LtiUser.objects.exists()


def test_a_token_signed_with_another_key_is_refused(client, lms, registration):
    # Same kid as the platform's real key: only the signature check can catch it.
    launch = lti_launch(client, lms, sub="mallory", roles=[INSTRUCTOR], key=rsa_key())
    assert_refused(launch, client, b"Signature verification failed")


def test_a_token_for_another_tool_is_refused(client, lms, registration):
    launch = lti_launch(
        client,
        lms,
        sub="u",
        roles=[INSTRUCTOR],
        edit=lambda claims: claims.update(aud="another-tool"),
    )
    assert_refused(launch, client, b"Unknown platform")


def test_several_audiences_need_azp_naming_us(client, lms, registration):
    launch = lti_launch(
        client,
        lms,
        sub="u",
        roles=[INSTRUCTOR],
        edit=lambda claims: claims.update(aud=[lms.client_id, "another-tool"]),
    )
    assert_refused(launch, client, b"azp")


def test_a_replayed_id_token_is_refused(client, lms, registration):
    courses_created_by(registration)
    first = lti_launch(client, lms, sub="u", roles=[INSTRUCTOR])
    assert first.response.status_code == 302
    client.logout()
    replay = client.post("/lti/launch/", {"id_token": first.id_token, "state": first.state})
    assert replay.status_code == 400 and b"replayed nonce" in replay.content
    assert logged_in_user_id(client) is None


def test_a_nonce_we_never_issued_is_refused(client, lms, registration):
    launch = lti_launch(
        client, lms, sub="u", roles=[INSTRUCTOR], edit=lambda claims: claims.update(nonce="made-up")
    )
    assert_refused(launch, client, b"Invalid Nonce")


def test_an_expired_token_is_refused(client, lms, registration):
    def expire(claims: dict) -> None:
        claims.update(iat=int(time.time()) - 900, exp=int(time.time()) - 300)

    launch = lti_launch(client, lms, sub="u", roles=[INSTRUCTOR], edit=expire)
    assert_refused(launch, client, b"expired")


def test_a_token_without_expiry_is_refused(client, lms, registration):
    launch = lti_launch(
        client, lms, sub="u", roles=[INSTRUCTOR], edit=lambda claims: claims.pop("exp")
    )
    assert_refused(launch, client, b"exp")


def test_an_unknown_deployment_is_refused(client, lms, registration):
    launch = lti_launch(
        client,
        lms,
        sub="u",
        roles=[INSTRUCTOR],
        edit=lambda claims: claims.update(
            {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-x"}
        ),
    )
    assert_refused(launch, client, b"Unable to find deployment")


def test_an_unknown_issuer_is_refused_at_login_and_at_launch(client, lms, registration):
    login = oidc_login(client, lms, sub="u", issuer="https://evil.example")
    assert login.status_code == 400 and b"Unknown platform" in login.content
    launch = lti_launch(
        client,
        lms,
        sub="u",
        roles=[INSTRUCTOR],
        edit=lambda claims: claims.update(iss="https://evil.example"),
    )
    assert_refused(launch, client, b"Unknown platform")


def test_a_launch_from_another_browser_fails_the_state_check(client, lms, registration):
    stranger = Client()  # has no state cookie of that login: a token lifted from another browser
    launch = lti_launch(client, lms, sub="u", roles=[INSTRUCTOR], poster=stranger)
    assert launch.response.status_code == 400 and b"State not found" in launch.response.content
    assert logged_in_user_id(stranger) is None and not LtiUser.objects.exists()


def test_a_deactivated_platform_cannot_launch(client, lms, registration):
    registration.active = False
    registration.save()
    launch_login = oidc_login(client, lms, sub="u")
    assert launch_login.status_code == 400
