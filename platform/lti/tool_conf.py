"""pylti1p3's view of our registrations: the library asks this object for the registration and
deployment of each message; everything comes from ``LtiRegistration`` rows."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lti.models import LtiRegistration


def registration_find(*, issuer: str, client_id: str | None) -> LtiRegistration | None:
    """The active registration for a message. Login initiation may come without client_id: then
    the issuer must be unambiguous."""
    rows = LtiRegistration.objects.filter(issuer=issuer, active=True)
    if client_id:
        return rows.filter(client_id=client_id).first()
    candidates = list(rows[:2])
    return candidates[0] if len(candidates) == 1 else None


def registration_to_pylti(row: LtiRegistration) -> Registration:
    registration = Registration()
    (
        registration.set_issuer(row.issuer)
        .set_client_id(row.client_id)
        .set_auth_login_url(row.auth_login_url)
        .set_auth_token_url(row.auth_token_url)
        .set_key_set_url(row.key_set_url)
        .set_key_set(None)
        .set_tool_private_key(row.private_key)
        .set_tool_public_key(row.public_key)
    )
    if row.auth_audience:
        registration.set_auth_audience(row.auth_audience)
    return registration


class DbToolConf(ToolConfAbstract):
    """Always "many client ids per issuer": the client id (the token's aud) picks the row."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self.find_registration_by_params(iss, None, *args, **kwargs)  # type: ignore[arg-type]

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration:
        row = registration_find(issuer=iss, client_id=client_id)
        if row is None:
            raise LtiException(f"Unknown platform: issuer {iss!r}, client id {client_id!r}")
        return registration_to_pylti(row)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return None  # never used: check_iss_has_one_client is always False

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        row = registration_find(issuer=iss, client_id=client_id)
        if row is None or deployment_id not in (row.deployment_ids or []):
            return None
        return Deployment().set_deployment_id(deployment_id)
