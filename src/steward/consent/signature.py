"""Webhook signatures, shared by the sender (Steward) and the receiver (``steward.client``).

    header = sign(secret, body, timestamp)      # "t=1700000000,v1=<hex HMAC-SHA256>"
    verify(secret, body, header, tolerance=300) # True / False

The HMAC covers ``"<t>." + body``, so a captured request cannot be replayed after the tolerance.
Pure standard library: no database, no web framework.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Steward-Signature"


def sign(secret: bytes, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(
    secret: bytes, body: bytes, header: str, tolerance: int = 300, now: float | None = None
) -> bool:
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        t = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)
