"""Keys, keyed digests and signed tokens: the one place Steward signs anything with a secret.

    key = derive(master_secret, "identifiers")           # a key for one use (HKDF-SHA256)
    digest(key, "email\\nanna@example.com")              # HMAC-SHA256, hex
    signer = Signer(secret, "requests-result")           # one purpose, one salt
    token = signer.dumps([7, "nonce"])
    signer.loads(token, max_age=3600)                    # raises TokenExpired / TokenInvalid

A token signed for one purpose never verifies for another: the purpose is the signer's salt.
Tokens are signed, not encrypted; they carry ids, never identifiers or secrets.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenInvalid(ValueError):
    """A token that is forged, damaged, or signed for another purpose."""


class TokenExpired(TokenInvalid):
    """A token that was valid but is older than its ``max_age``."""


def derive(secret: str, label: str, length: int = 32) -> bytes:
    """A key for one use, derived from the master secret (HKDF-SHA256, ``label`` per use)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=b"steward-consent", info=label.encode()
    ).derive(secret.encode())


def identifier_key(master: str, explicit: str | None = None) -> bytes:
    """The key of identifier digests (consent ledger, outbox recipients): ``explicit`` when the
    operator set ``STEWARD_CONSENT_IDENTIFIER_KEY``, else derived from the master secret."""
    return explicit.encode() if explicit else derive(master, "identifiers")


def digest(key: bytes | str, message: str) -> str:
    """HMAC-SHA256 of ``message`` under ``key``, as hex."""
    raw = key.encode() if isinstance(key, str) else key
    return hmac.new(raw, message.encode(), hashlib.sha256).hexdigest()


class Signer:
    """Signs JSON values for one ``purpose`` with a timestamp (itsdangerous)."""

    def __init__(self, secret: str | bytes, purpose: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=purpose)

    def dumps(self, value: object) -> str:
        return self._serializer.dumps(value)

    def loads(self, token: str, *, max_age: int) -> Any:
        """The signed value; raises :class:`TokenExpired` or :class:`TokenInvalid`."""
        try:
            return self._serializer.loads(token, max_age=max_age)
        except SignatureExpired:
            raise TokenExpired("the token has expired") from None
        except (BadSignature, ValueError, TypeError):
            raise TokenInvalid("the token is not validly signed") from None
