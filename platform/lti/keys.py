"""The tool's RSA key pairs: one per registration, so that one LMS can be cut off (or its key
rotated) without touching the others."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration

KEY_BITS = 2048  # what Moodle and Canvas expect for RS256


def rsa_key_pair_generate() -> tuple[str, str]:
    """A new (private PEM, public PEM) pair."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def public_jwk(public_pem: str) -> dict[str, Any]:
    """The JWK the platforms verify our signatures with; its kid (the key's thumbprint) is the one
    pylti1p3 puts in the header of everything it signs."""
    return dict(Registration.get_jwk(public_pem))
