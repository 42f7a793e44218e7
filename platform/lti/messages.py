"""The pylti1p3 objects for one request, configured the same way everywhere.

State and nonce live in the Django cache (keyed by pylti1p3's own ``lti1p3-session-id`` cookie,
which it sets with ``SameSite=None; Secure`` over HTTPS) and not in the Django session: the launch
is a cross-site POST, and browsers do not send our ``SameSite=Lax`` session cookie with it."""

from __future__ import annotations

from django.http import HttpRequest
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin

from lti.http import platform_http_session
from lti.platform_keys import key_set_fetch
from lti.tool_conf import DbToolConf

# Verified by PyJWT on top of the signature; "aud" is checked by matching it to a registration.
JWT_VERIFY_OPTIONS = {"verify_aud": False, "require": ["exp", "iat", "nonce", "sub", "iss", "aud"]}


class _MessageLaunch(DjangoMessageLaunch):
    def fetch_public_key(self, key_set_url: str) -> dict:  # type: ignore[override]
        # The library's fetch echoes the reply in its error and trusts its shape (lti.platform_keys).
        return key_set_fetch(key_set_url)


def oidc_login_for(request: HttpRequest) -> DjangoOIDCLogin:
    return DjangoOIDCLogin(request, DbToolConf(), launch_data_storage=DjangoCacheDataStorage())


def message_launch_for(request: HttpRequest) -> DjangoMessageLaunch:
    launch = _MessageLaunch(
        request,
        DbToolConf(),
        launch_data_storage=DjangoCacheDataStorage(),
        requests_session=platform_http_session(),
    )
    launch.set_jwt_verify_options(dict(JWT_VERIFY_OPTIONS))
    return launch
