"""Keys, keyed digests and signed tokens: the one place Steward signs anything with a secret.

    key = derive(master_secret, "identifiers")           # a key for one use (HKDF-SHA256)
    digest(key, "email\\nanna@example.com")              # HMAC-SHA256, hex
    signer = Signer(secret, "requests-result")           # one purpose, one salt
    token = signer.dumps([7, "nonce"])
    signer.loads(token, max_age=3600)                    # raises TokenExpired / TokenInvalid
    box = encrypt(derive(master_secret, "totp"), "JBSWY3DPEHPK3PXP")  # AES-256-GCM, text
    decrypt(derive(master_secret, "totp"), box)          # raises TokenInvalid

A token signed for one purpose never verifies for another: the purpose is the signer's salt.
Tokens are signed, not encrypted; they carry ids, never identifiers or secrets. A secret that
must be kept and read back (a second factor's seed) is encrypted with ``encrypt``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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


def identifier_digest(key: bytes, kind: str, canonical: str) -> str:
    """The digest of an identifier already in its canonical form (``lib.identifiers``), under
    the key of :func:`identifier_key`: the one form the consent ledger, the restriction list and
    the disclosure log store and compare."""
    return digest(key, f"{kind}\n{canonical}")


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


ENCRYPTED_PREFIX = "v1."


def encrypt(key: bytes, plaintext: str) -> str:
    """``plaintext`` encrypted and authenticated under ``key`` (32 bytes from :func:`derive`):
    AES-256-GCM with a random nonce, as ``v1.`` and URL-safe base64 of nonce and ciphertext."""
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return ENCRYPTED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(key: bytes, box: str) -> str:
    """The plaintext of :func:`encrypt`; raises :class:`TokenInvalid` when ``box`` is damaged,
    not encrypted, or encrypted under another key."""
    if not box.startswith(ENCRYPTED_PREFIX):
        raise TokenInvalid("the value is not encrypted")
    try:
        raw = base64.urlsafe_b64decode(box[len(ENCRYPTED_PREFIX) :].encode())
        return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()
    except (InvalidTag, ValueError):
        raise TokenInvalid("the value does not decrypt under this key") from None
