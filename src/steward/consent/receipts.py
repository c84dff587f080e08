"""Signed consent receipts: the fields of the Kantara Consent Receipt v1.1 / ISO/IEC TS 27560.

    document = build_receipt(event, register, keys, policy_url=...)  # {"receipt", "signature"}
    verify_receipt(document, public_key_raw)                         # True / False

The signature is Ed25519 over ``canonical_json(receipt)`` (sorted keys, no whitespace, UTF-8),
so anyone holding Steward's public key (served at ``/.well-known/steward-consent-key.json``) can
check a receipt offline. The subject is named by the Steward subject id, never by an identifier.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from steward.consent.identity import ConsentKeys
from steward.consent.tables import ConsentEvent
from steward.ledger.chain import canonical_json
from steward.lib import i18n
from steward.register.models import Register

KANTARA_VERSION = "KI-CR-v1.1.0"
JURISDICTIONS = {
    "ru-152fz": "RU",
    "eu-gdpr": "EU",
    "uk-gdpr": "GB",
    "us-ccpa": "US-CA",
    "us-coppa": "US",
    "br-lgpd": "BR",
}
COLLECTION_METHODS = {
    "banner": "web cookie banner",
    "web-form": "web form",
    "api": "operator's application (API)",
    "paper": "signed paper or scanned document",
    "phone": "telephone",
    "gpc": "Global Privacy Control signal",
    "unsubscribe": "unsubscribe link",
    "system": "Steward (automatic expiry)",
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_jwk(keys: ConsentKeys) -> dict[str, str]:
    """The public key as a JSON Web Key (RFC 8037, OKP / Ed25519)."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(keys.public_key_raw()),
        "kid": keys.key_id(),
        "use": "sig",
        "alg": "EdDSA",
    }


def receipt_fields(
    event: ConsentEvent, register: Register, keys: ConsentKeys, policy_url: str | None
) -> dict[str, Any]:
    operator = register.operator
    lang = event.lang or operator.languages[0]
    purpose = next((p for p in register.purposes if p.id == event.purpose_id), None)
    third_parties = []
    if purpose is not None:
        for recipient_id in purpose.recipients:
            recipient = next((r for r in register.recipients if r.id == recipient_id), None)
            if recipient is not None:
                third_parties.append(recipient.name)
    termination = f"expires {event.expires_at.isoformat()}" if event.expires_at else "on withdrawal"
    purpose_entry = {
        "purpose": i18n.localized(purpose.names, lang) if purpose else event.purpose_id,
        "purposeId": event.purpose_id,
        "purposeCategory": list(purpose.tags) if purpose else [],
        "consentType": "EXPLICIT" if event.method != "gpc" else "GPC",
        "piiCategory": list(purpose.categories) if purpose else [],
        "primaryPurpose": False,
        "termination": termination,
        "thirdPartyDisclosure": bool(third_parties),
        "thirdPartyName": third_parties,
    }
    contacts = operator.contacts
    address = contacts.postal_address
    return {
        "version": KANTARA_VERSION,
        "jurisdiction": ", ".join(
            JURISDICTIONS.get(str(j), str(j)) for j in operator.jurisdictions
        ),
        "consentTimestamp": int(event.at.timestamp()),
        "consentTime": event.at.isoformat(),
        "collectionMethod": COLLECTION_METHODS.get(event.method, event.method),
        "consentReceiptID": event.receipt_id,
        "publicKey": keys.public_key_pem(),
        "language": lang,
        "piiPrincipalId": event.subject_id,
        "piiControllers": [
            {
                "piiController": operator.legal_name,
                "onBehalf": False,
                "contact": contacts.dpo.name if contacts.dpo and contacts.dpo.name else "",
                "address": i18n.localized(address, lang) if isinstance(address, dict) else address,
                "email": str(contacts.privacy_email),
                "phone": contacts.phone or "",
                "piiControllerUrl": operator.website or contacts.website or "",
            }
        ],
        "policyUrl": policy_url or "",
        "services": [{"service": operator.legal_name, "purposes": [purpose_entry]}],
        "sensitive": False,
        "spiCat": [],
        "steward": {
            "action": event.action,
            "channel": event.channel,
            "item": event.item_id,
            "method": event.method,
            "recordedBy": event.recorded_by,
            "noticeVersion": event.notice_version,
            "shownTextSha256": event.artefact_sha256,
            "ledgerEventId": event.id,
            "ledgerHash": event.hash,
        },
    }


def build_receipt(
    event: ConsentEvent, register: Register, keys: ConsentKeys, policy_url: str | None = None
) -> dict[str, Any]:
    """The signed receipt for ``event``: Ed25519 is deterministic, so it is the same each time."""
    receipt = receipt_fields(event, register, keys, policy_url)
    signature = keys.signing_key.sign(canonical_json(receipt).encode())
    return {
        "receipt": receipt,
        "signature": {
            "alg": "EdDSA",
            "crv": "Ed25519",
            "kid": keys.key_id(),
            "value": b64url(signature),
        },
    }


def verify_receipt(document: dict[str, Any], public_key_raw: bytes) -> bool:
    """True when ``document['signature']`` signs ``document['receipt']`` under the key."""
    try:
        receipt = document["receipt"]
        signature = b64url_decode(document["signature"]["value"])
        Ed25519PublicKey.from_public_bytes(public_key_raw).verify(
            signature, canonical_json(receipt).encode()
        )
    except (KeyError, TypeError, ValueError, InvalidSignature):
        return False
    return True
