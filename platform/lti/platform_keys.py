"""The platform's public key set (JWKS), fetched from its key set URL on every launch.

pylti1p3's own fetch puts the reply's text into its error (which the launch error page shows: a
way to read internal services) and trusts the reply's shape (a set without ``keys`` was a 500).
Here the fetch goes through the checked session and anything but a JSON object with a list of
RSA keys is a refusal whose message says what was wrong, never what the server said."""

from __future__ import annotations

import json
from typing import Any

import requests
from django.utils.translation import gettext as _
from pylti1p3.exception import LtiException

from lti.http import OutboundRefused, platform_http_session

# The algorithms the tool verifies launch tokens with (LTI 1.3: RS256 at least). Other keys in the
# set are dropped: an "HS256" key with our RSA PEM as its secret would make PyJWT fail untidily.
ACCEPTED_ALGORITHMS = {"RS256", "RS384", "RS512"}


def key_set_fetch(url: str) -> dict[str, Any]:
    """The usable keys of the set at ``url``; LtiException (a refused launch) otherwise."""
    try:
        response = platform_http_session().get(url, headers={"Accept": "application/json"})
    except OutboundRefused as exc:
        raise LtiException(
            _("The platform's key set was not fetched: %(reason)s") % {"reason": exc}
        ) from exc
    except requests.RequestException as exc:  # connection refused, timeouts, TLS errors
        raise LtiException(
            _("The platform's key set at %(url)s could not be fetched (%(error)s).")
            % {"url": url, "error": type(exc).__name__}
        ) from exc
    if response.status_code != 200:
        raise LtiException(
            _("The platform's key set at %(url)s answered HTTP %(status)s.")
            % {"url": url, "status": response.status_code}
        )
    return key_set_parse(response.content, url=url)


def key_set_parse(body: bytes, *, url: str) -> dict[str, Any]:
    malformed = LtiException(
        _(
            "The platform's key set at %(url)s is not a JSON key set (an object with a list of keys)."
        )
        % {"url": url}
    )
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise malformed from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise malformed
    keys = [
        key
        for key in data["keys"]
        if isinstance(key, dict)
        and key.get("kty") == "RSA"
        and key.get("alg", "RS256") in ACCEPTED_ALGORITHMS
    ]
    return {"keys": keys}
