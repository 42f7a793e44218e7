"""A local LMS that speaks real LTI 1.3: it signs id_tokens with a key made for the test, serves
its JWKS, an OAuth2 token endpoint that verifies the tool's client assertion against the tool's
published JWKS, and AGS score endpoints that record what they receive.

Runs as an ``http.server`` on 127.0.0.1 in a thread; the tool reaches it with real HTTP, by the
name ``localhost``: the tool refuses internal addresses unless the host is allowed, and the tests
allow that name (``LTI_PRIVATE_HOSTS``), which leaves 127.0.0.1 itself refused for attack tests."""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TEACHING_ASSISTANT = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
)
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class ReceivedScore:
    lineitem: str
    content_type: str
    body: dict[str, Any]


@dataclass
class LmsSimulator:
    base_url: str = ""
    client_id: str = "dlgrade-client-1"
    deployment_id: str = "deployment-1"
    kid: str = "lms-key-1"
    key: rsa.RSAPrivateKey = field(default_factory=rsa_key)
    tool_jwks: dict[str, Any] = field(default_factory=dict)  # what the tool publishes at /lti/jwks/
    scores: list[ReceivedScore] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    token_errors: list[str] = field(default_factory=list)
    score_status: int = 200  # set to 503 etc. to make the score endpoint fail
    tokens: set[str] = field(default_factory=set)
    # Replaces the JWKS reply: called with the request handler, writes its own (hostile) answer.
    jwks_reply: Callable[[BaseHTTPRequestHandler], None] | None = None
    _server: ThreadingHTTPServer | None = None

    # ---- URLs the tool is registered with
    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def auth_login_url(self) -> str:
        return self.base_url + "/auth"

    @property
    def token_url(self) -> str:
        return self.base_url + "/token"

    @property
    def jwks_url(self) -> str:
        return self.base_url + "/jwks"

    def lineitem_url(self, item: str) -> str:
        return f"{self.base_url}/lineitems/{item}"

    def platform_jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    # ---- the OIDC authorization step (what the LMS does between login initiation and launch)
    def authorize(self, auth_redirect: str, *, expected_redirect_uri: str) -> dict[str, str]:
        """Check the tool's authentication request like a platform would; return its params."""
        url = urlparse(auth_redirect)
        assert f"{url.scheme}://{url.netloc}{url.path}" == self.auth_login_url
        params = {key: values[0] for key, values in parse_qs(url.query).items()}
        assert params["scope"] == "openid" and params["response_type"] == "id_token"
        assert params["response_mode"] == "form_post" and params["prompt"] == "none"
        assert params["client_id"] == self.client_id
        assert params["redirect_uri"] == expected_redirect_uri
        assert params["state"] and params["nonce"]
        return params

    def claims(
        self,
        *,
        nonce: str,
        sub: str,
        roles: list[str],
        context_id: str = "ctx-1",
        message_type: str = "LtiResourceLinkRequest",
        resource_link_id: str = "rl-1",
        custom: dict[str, str] | None = None,
        lineitem: str | None = None,
        target_link_uri: str = "",
        **extra: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "nonce": nonce,
            "iat": now,
            "exp": now + 300,
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": f"{sub}@lms.test",
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": target_link_uri,
            LTI + "roles": roles,
            LTI + "context": {
                "id": context_id,
                "label": "DL101",
                "title": "Deep Learning 101",
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
        }
        if message_type == "LtiResourceLinkRequest":
            body[LTI + "resource_link"] = {"id": resource_link_id, "title": "Homework link"}
        if message_type == "LtiDeepLinkingRequest":
            body[DL_SETTINGS] = {
                "deep_link_return_url": self.base_url + "/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": False,
                "data": "opaque-platform-data",
            }
        if custom is not None:
            body[LTI + "custom"] = custom
        if lineitem is not None:
            body[AGS] = {
                "scope": [LINEITEM_SCOPE, SCORE_SCOPE],
                "lineitems": self.base_url + "/lineitems",
                "lineitem": lineitem,
            }
        body.update(extra)
        return body

    def sign(self, body: dict[str, Any], *, key: rsa.RSAPrivateKey | None = None) -> str:
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    # ---- the token endpoint's check of the tool's client assertion (RFC 7523)
    def verify_client_assertion(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("grant_type") != "client_credentials":
            raise ValueError("grant_type")
        if (
            form.get("client_assertion_type")
            != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            raise ValueError("client_assertion_type")
        assertion = form["client_assertion"]
        kid = jwt.get_unverified_header(assertion).get("kid")
        matching = [key for key in self.tool_jwks.get("keys", []) if key.get("kid") == kid]
        if not matching:
            raise ValueError(f"no tool key with kid {kid}")
        public_key = jwt.PyJWK(matching[0]).key
        return jwt.decode(
            assertion,
            public_key,
            algorithms=["RS256"],
            audience=self.token_url,
            issuer=self.client_id,
            options={"require": ["exp", "iat", "jti", "sub"]},
        )

    # ---- server
    def start(self) -> LmsSimulator:
        lms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def _reply(
                self, status: int, body: Any = None, content_type: str = "application/json"
            ) -> None:
                payload = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                if payload:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self) -> None:
                if self.path == "/jwks":
                    if lms.jwks_reply is not None:
                        return lms.jwks_reply(self)
                    return self._reply(200, lms.platform_jwks())
                return self._reply(404, {"error": "not found"})

            def do_POST(self) -> None:
                if self.path == "/token":
                    form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
                    lms.token_requests.append(form)
                    try:
                        lms.verify_client_assertion(form)
                    except Exception as exc:  # any failure is an invalid client, as in OAuth2
                        lms.token_errors.append(str(exc))
                        return self._reply(
                            401, {"error": "invalid_client", "error_description": str(exc)}
                        )
                    token = secrets.token_urlsafe(16)
                    lms.tokens.add(token)
                    return self._reply(
                        200,
                        {
                            "access_token": token,
                            "token_type": "Bearer",
                            "expires_in": 3600,
                            "scope": form.get("scope", ""),
                        },
                    )
                if self.path.startswith("/lineitems/") and self.path.endswith("/scores"):
                    auth = self.headers.get("Authorization", "")
                    if not auth.startswith("Bearer ") or auth[7:] not in lms.tokens:
                        return self._reply(401, {"error": "invalid token"})
                    body = json.loads(self._body() or b"{}")
                    if lms.score_status >= 400:
                        return self._reply(lms.score_status, {"error": "simulated failure"})
                    lms.scores.append(
                        ReceivedScore(
                            lineitem=lms.base_url + self.path[: -len("/scores")],
                            content_type=self.headers.get("Content-Type", ""),
                            body=body,
                        )
                    )
                    return self._reply(204)
                return self._reply(404, {"error": "not found"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://localhost:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def new_sub() -> str:
    return "user-" + uuid.uuid4().hex[:8]
