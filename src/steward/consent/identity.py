"""Keys, identifier hashes and IP evidence for the consent ledger.

    keys = ConsentKeys.from_settings(settings)
    keys.identifier_digest("email", " Anna@Example.COM ")   # HMAC-SHA256, normalised first
    ip_evidence("203.0.113.77", "truncate", keys)            # "203.0.113.0/24"

Identifiers are never stored in plain text: only an HMAC keyed by a secret, so a leaked table
cannot be reversed by hashing a list of e-mail addresses. Every key not set explicitly is
derived from ``STEWARD_SECRET_KEY`` with HKDF and a label per use, so one secret suffices.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, replace
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from steward.config import Settings
from steward.lib import identifiers
from steward.lib.i18n import N_
from steward.lib.identifiers import IdentifierError, normalise_phone
from steward.lib.signing import derive, digest, identifier_digest, identifier_key
from steward.register import Register

IDENTIFIER_KINDS = ("email", "phone", "account-id", "visitor", "guardian", "other")


def normalise(kind: str, value: str, region: str | None = None) -> str:
    """The canonical form hashed for ``kind`` (``lib/identifiers``): e-mail lower-cased, phone
    in E.164 read in the operator's ``region``; a phone that is not a possible number is kept
    as its digits."""
    if kind not in IDENTIFIER_KINDS:
        raise IdentifierError(
            N_("Unknown identifier kind '%(kind)s'; use one of %(kinds)s."),
            kind=kind,
            kinds=", ".join(IDENTIFIER_KINDS),
        )
    text = value.strip()
    if not text:
        raise IdentifierError(N_("The %(kind)s identifier is empty."), kind=kind)
    if kind == "phone":
        return normalise_phone(text, region) or "".join(
            ch for ch in text if ch.isdigit() or ch == "+"
        )
    return identifiers.normalise(kind, text, region) or text


@dataclass(frozen=True)
class ConsentKeys:
    """The secrets the consent ledger uses, resolved once from settings."""

    identifier_key: bytes
    signing_key: Ed25519PrivateKey
    webhook_secret: bytes
    token_secret: str
    region: str | None = None  # the operator's country: how a national phone number is read

    def for_register(self, register: Register) -> ConsentKeys:
        """These keys reading phone numbers in ``register``'s operator country."""
        return replace(self, region=register.operator.country)

    @classmethod
    def from_settings(cls, settings: Settings) -> ConsentKeys:
        return _keys(
            settings.secret_key.get_secret_value(),
            _secret(settings.consent_identifier_key),
            _secret(settings.consent_signing_key),
            _secret(settings.consent_webhook_secret),
        )

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    def public_key_raw(self) -> bytes:
        return self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def public_key_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def key_id(self) -> str:
        """A short fingerprint of the public key: the first 16 hex digits of its SHA-256."""
        return hashlib.sha256(self.public_key_raw()).hexdigest()[:16]

    def link_seal(self, subject_id: str, kind: str, digest: str) -> str:
        return link_seal(self.identifier_key, subject_id, kind, digest)

    def identifier_digest(self, kind: str, value: str) -> str:
        return identifier_digest(self.identifier_key, kind, normalise(kind, value, self.region))


def link_seal(identifier_key: bytes, subject_id: str, kind: str, hashed: str) -> str:
    """The seal binding an identifier's digest to its subject (see ``consent.evidence``)."""
    return digest(identifier_key, f"link\n{subject_id}\n{kind}\n{hashed}")


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return getter() if getter else None


@lru_cache(maxsize=8)
def _keys(
    master: str, identifier: str | None, signing: str | None, webhook: str | None
) -> ConsentKeys:
    if signing:
        loaded = serialization.load_pem_private_key(signing.encode(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(
                "STEWARD_CONSENT_SIGNING_KEY is not an Ed25519 private key; make one with "
                "'openssl genpkey -algorithm ed25519'"
            )
        signing_key = loaded
    else:
        signing_key = Ed25519PrivateKey.from_private_bytes(derive(master, "receipt-signing"))
    return ConsentKeys(
        identifier_key=identifier_key(master, identifier),
        signing_key=signing_key,
        webhook_secret=webhook.encode() if webhook else derive(master, "webhooks"),
        token_secret=derive(master, "unsubscribe").hex(),
    )


def ip_evidence(ip: str | None, rule: str, keys: ConsentKeys) -> str | None:
    """The IP address as the register's ``consents.ip_evidence`` rule allows it to be kept."""
    if not ip or rule == "none":
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if rule == "hash":
        return "hmac:" + digest(keys.identifier_key, f"ip\n{address}")[:32]
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
