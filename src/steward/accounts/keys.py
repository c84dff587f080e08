"""Random tokens and their digests: what is handed out once, and what is stored.

raw = new_token("stw")        # "stw_9x...": give it to the holder, never store it
digest(raw)                   # store and look up by this
"""

from __future__ import annotations

import hashlib
import secrets


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(raw: str) -> str:
    """SHA-256 of a high-entropy token: enough to look it up, useless to a thief of the table."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
