"""TOTP second factor (RFC 6238, 30-second steps, 6 digits) with replay protection.

secret = new_secret()
uri = provisioning_uri(secret, "dpo@example.com", issuer="Steward")
svg = qr_svg(uri)                              # inline SVG for the enrolment page
step = check_code(secret, "123456", last_step)  # the accepted step, or None
stored = seal(secret_key, secret)              # what the store keeps (AES-GCM, lib.signing)
secret = unseal(secret_key, stored)            # None when it does not open under this key

The store never holds a secret in clear: ``people.totp_secret`` is encrypted under a key
derived from ``STEWARD_SECRET_KEY`` (label ``totp-secrets``), so a copy of the database alone
does not give anyone the codes. Changing the secret key makes every second factor unusable
(reset each with `steward admin reset-totp EMAIL`; the person sets up a new one).
"""

from __future__ import annotations

import hmac
import io
import time

import pyotp
import segno

from steward.lib.signing import TokenInvalid, decrypt, derive, encrypt

STEP_SECONDS = 30


KEY_LABEL = "totp-secrets"


def seal(secret_key: str, secret: str) -> str:
    return encrypt(derive(secret_key, KEY_LABEL), secret)


def unseal(secret_key: str, stored: str | None) -> str | None:
    if not stored:
        return None
    try:
        return decrypt(derive(secret_key, KEY_LABEL), stored)
    except TokenInvalid:
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, *, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", scale=5, xmldecl=False, svgns=True, title="TOTP enrolment code"
    )
    return buffer.getvalue().decode()


def check_code(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step ``code`` is valid for (one step of clock drift allowed either way), or
    None. A step at or before ``last_step`` is refused, so a seen code cannot be replayed."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if step > last_step and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None
