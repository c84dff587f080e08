"""Signed chain heads: what makes a hash chain hold against someone who can write the store.

A bare hash chain proves only that its rows agree with each other: delete the newest rows, or
edit one and recompute every hash after it, and it verifies again. So Steward signs each
chain's head (the newest entry's id and hash, and how many entries lead to it) with its Ed25519
key (the one that signs consent receipts), at intervals (the ``ledger.anchor`` job) and on
every export, and keeps the signed heads in ``chain_anchors``. A signed head kept outside the
store (a file from ``steward ledger anchor`` or an export, or a consent receipt, which names
its event's id and hash) lets anyone check that the chain still contains what was signed.

    document = sign_head(session, "audit", AuditEntry, private_key)   # {"head", "signature"}
    problems = check_heads(session, AuditEntry, heads, public_key_raw)  # earliest first

A head is checked against the stored chain: its entry must still exist with the same hash, and
the same number of entries must lead to it. The first failing head says where the chain breaks.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.ledger.chain import ChainBreak, canonical_json
from steward.store.tables import Base, UtcDateTime, utcnow

FORMAT = "steward-chain-head/1"


class ChainAnchor(Base):
    """One signed head of a chain (``audit`` or ``consent``)."""

    __tablename__ = "chain_anchors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain: Mapped[str] = mapped_column(String(20), index=True)
    entry_id: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))

    def statement(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "chain": self.chain,
            "entry_id": self.entry_id,
            "hash": self.entry_hash,
            "entries": self.entries,
            "signed_at": self.signed_at.isoformat(),
        }

    def document(self) -> dict[str, Any]:
        return {
            "head": self.statement(),
            "signature": {"alg": "EdDSA", "kid": self.key_id, "value": self.signature},
        }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key_raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(public_key_raw).hexdigest()[:16]


def sign_head(
    session: Session, chain: str, model: Any, key: Ed25519PrivateKey
) -> dict[str, Any] | None:
    """Sign and store the current head of ``chain`` (rows of ``model``); None when empty.

    Signing an unchanged head again returns the stored signature (the job may fire twice).
    """
    head = session.execute(select(model.id, model.hash).order_by(model.id.desc()).limit(1)).first()
    if head is None:
        return None
    last = session.scalars(
        select(ChainAnchor).where(ChainAnchor.chain == chain).order_by(ChainAnchor.id.desc())
    ).first()
    if last is not None and last.entry_id == head.id and last.entry_hash == head.hash:
        return last.document()
    count = session.scalar(select(func.count()).select_from(model).where(model.id <= head.id))
    anchor = ChainAnchor(
        chain=chain,
        entry_id=head.id,
        entry_hash=head.hash,
        entries=int(count or 0),
        signed_at=utcnow(),
        key_id=key_id(public_raw(key)),
        signature="",
    )
    anchor.signature = _b64(key.sign(canonical_json(anchor.statement()).encode()))
    session.add(anchor)
    session.flush()
    return anchor.document()


@dataclass(frozen=True)
class Head:
    """A head to check: from the store, a file or a receipt; ``entries`` unknown for receipts."""

    chain: str
    entry_id: int
    hash: str
    entries: int | None
    source: str
    signed: bool | None  # True/False once checked against a public key; None: not checked


def stored_heads(session: Session, chain: str) -> list[ChainAnchor]:
    return list(
        session.scalars(
            select(ChainAnchor).where(ChainAnchor.chain == chain).order_by(ChainAnchor.id)
        )
    )


def _signature_ok(statement: Mapping[str, Any], value: str, public_key: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            _unb64(value), canonical_json(dict(statement)).encode()
        )
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def parse_head(document: Any, source: str, public_key: bytes | None) -> Head:
    """A signed head document or a consent receipt as a ``Head``; ValueError when neither."""
    if not isinstance(document, dict):
        raise ValueError(f"{source}: not a signed head or a consent receipt (a JSON object)")
    if isinstance(document.get("head"), dict):
        statement, signature = document["head"], document.get("signature") or {}
        try:
            head = Head(
                str(statement["chain"]),
                int(statement["entry_id"]),
                str(statement["hash"]),
                int(statement["entries"]),
                source,
                None,
            )
        except (KeyError, TypeError, ValueError):
            raise ValueError(
                f"{source}: the signed head lacks chain, entry_id, hash or entries"
            ) from None
        if public_key is None:
            return head
        ok = _signature_ok(statement, str(signature.get("value", "")), public_key)
        return Head(head.chain, head.entry_id, head.hash, head.entries, source, ok)
    if isinstance(document.get("receipt"), dict):
        receipt = document["receipt"]
        ids = receipt.get("steward") or {}
        try:
            head = Head(
                "consent", int(ids["ledgerEventId"]), str(ids["ledgerHash"]), None, source, None
            )
        except (KeyError, TypeError, ValueError):
            raise ValueError(
                f"{source}: the receipt names no ledger event (steward.ledgerHash)"
            ) from None
        if public_key is None:
            return head
        value = str((document.get("signature") or {}).get("value", ""))
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(
                _unb64(value), canonical_json(receipt).encode()
            )
            ok = True
        except (InvalidSignature, ValueError, TypeError):
            ok = False
        return Head(head.chain, head.entry_id, head.hash, None, source, ok)
    raise ValueError(f"{source}: not a signed head ('head') or a consent receipt ('receipt')")


def check_heads(session: Session, model: Any, heads: Iterable[Head]) -> list[ChainBreak]:
    """Every way the stored chain contradicts ``heads``, the earliest entry first."""
    wanted = sorted(heads, key=lambda h: h.entry_id)
    if not wanted:
        return []
    newest = session.scalar(select(func.max(model.id))) or 0
    problems: list[ChainBreak] = []
    last_good = 0
    for head in wanted:
        where = f"the head signed in {head.source}"
        if head.signed is False:
            problems.append(
                ChainBreak(
                    head.entry_id,
                    f"{where} is not signed by this Steward's key (forged or altered)",
                )
            )
            continue
        found = session.scalar(select(model.hash).where(model.id == head.entry_id))
        if found is None:
            if head.entry_id > newest:
                reason = (
                    f"{where} names entry {head.entry_id}, but the chain now ends at entry "
                    f"{newest}: the newest entries were deleted"
                )
            else:
                reason = f"{where} names entry {head.entry_id}, which was deleted"
            problems.append(ChainBreak(head.entry_id, reason))
            continue
        if found != head.hash:
            problems.append(
                ChainBreak(
                    head.entry_id,
                    f"its hash differs from {where}: the chain was rewritten (recomputed) "
                    f"after entry {last_good}",
                )
            )
            continue
        if head.entries is not None:
            count = session.scalar(
                select(func.count()).select_from(model).where(model.id <= head.entry_id)
            )
            if count != head.entries:
                problems.append(
                    ChainBreak(
                        head.entry_id,
                        f"{where} counted {head.entries} entries up to it, {count} remain: "
                        "entries before it were deleted and the chain recomputed",
                    )
                )
                continue
        last_good = head.entry_id
    return sorted(problems, key=lambda p: p.entry_id)


def heads_of(session: Session, chain: str, public_key: bytes | None) -> list[Head]:
    """The heads stored for ``chain`` as ``Head``s, their signatures checked when a key is given."""
    out = []
    for anchor in stored_heads(session, chain):
        signed = None
        if public_key is not None:
            signed = _signature_ok(anchor.statement(), anchor.signature, public_key)
        source = f"the store (signed {anchor.signed_at:%Y-%m-%d %H:%M} UTC)"
        out.append(Head(chain, anchor.entry_id, anchor.entry_hash, anchor.entries, source, signed))
    return out
