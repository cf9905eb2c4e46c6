"""Secrets at rest (Fernet, keyed by LABELQA_SECRET_KEY) and API tokens (stored as SHA-256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from labelqa.errors import ConfigurationError

__all__ = [
    "ROLES",
    "constant_time_equal",
    "decrypt",
    "encrypt",
    "generate_token",
    "hash_token",
    "mask",
]

ROLES = ("admin", "sop_author", "qa_analyst", "vendor_manager", "data_consumer")
TOKEN_PREFIX = "lqa_"


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"labelqa", info=b"at-rest").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str, secret_key: str) -> str:
    """Encrypt a secret (a Label Studio token, a webhook secret) for storage."""
    return _fernet(secret_key).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str, secret_key: str) -> str:
    """Decrypt a stored secret; a changed LABELQA_SECRET_KEY gives a clear error."""
    try:
        return _fernet(secret_key).decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ConfigurationError(
            "A stored secret cannot be decrypted: LABELQA_SECRET_KEY differs from the key it "
            "was stored with. Restore the old key or re-add the source with its token.",
            code="secret_key_mismatch",
        ) from exc


def generate_token() -> str:
    """A new random API token (shown once, stored only as a hash)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of an API token (tokens are 256-bit random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    """Compare two secrets without leaking where they differ."""
    return hmac.compare_digest(a.encode(), b.encode())


def mask(secret: str) -> str:
    """A secret shortened for display: first 4 characters, the rest hidden."""
    return secret[:4] + "…" if secret else ""
