"""Signed webhooks to the operator's backend when a consent is withdrawn, refused or expires.

    enqueue(session, event_ids)                     # in the transaction that appended them
    deliver_pending(session, url, secret, client)   # POSTs each, retries with back-off

The body is JSON (``{"type": "consent.withdrawn", "event_id", "subject_id", "purpose",
"channel", "at", "receipt_id"}``) with a ``Steward-Signature`` header (see ``signature.py``).
A delivery is claimed by a conditional UPDATE before sending, so two senders never both send it.
"""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from steward.consent import signature
from steward.consent.tables import ConsentEvent, ConsentWebhook
from steward.store.tables import utcnow

NOTIFIED_ACTIONS = ("withdrawn", "refused", "expired")
MAX_ATTEMPTS = 8


def enqueue(session: Session, event_ids: list[int]) -> None:
    for event_id in event_ids:
        session.add(ConsentWebhook(event_id=event_id, next_try_at=utcnow()))
    session.flush()


def payload(event: ConsentEvent) -> bytes:
    return json.dumps(
        {
            "type": f"consent.{event.action}",
            "event_id": event.id,
            "subject_id": event.subject_id,
            "purpose": event.purpose_id,
            "channel": event.channel,
            "item": event.item_id,
            "at": event.at.isoformat(),
            "receipt_id": event.receipt_id,
        },
        sort_keys=True,
    ).encode()


def deliver_pending(
    session: Session, url: str, secret: bytes, client: httpx.Client | None = None
) -> int:
    """Send due deliveries; the number delivered. Failures are kept and retried later."""
    own = client is None
    http = client or httpx.Client(timeout=10)
    delivered = 0
    try:
        due = session.scalars(
            select(ConsentWebhook)
            .where(ConsentWebhook.status == "pending", ConsentWebhook.next_try_at <= utcnow())
            .order_by(ConsentWebhook.id)
            .limit(100)
        ).all()
        for hook in due:
            claimed = session.execute(  # type: ignore[attr-defined]
                update(ConsentWebhook)
                .where(ConsentWebhook.id == hook.id, ConsentWebhook.status == "pending")
                .values(status="sending", attempts=hook.attempts + 1)
            ).rowcount
            if not claimed:
                continue
            event = session.get(ConsentEvent, hook.event_id)
            assert event is not None
            body = payload(event)
            headers = {
                "Content-Type": "application/json",
                signature.HEADER: signature.sign(secret, body),
            }
            try:
                response = http.post(url, content=body, headers=headers)
                ok, error = response.is_success, f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                ok, error = False, type(exc).__name__
            session.refresh(hook)
            if ok:
                hook.status, hook.delivered_at, hook.error = "delivered", utcnow(), None
                delivered += 1
            else:
                hook.error = error
                hook.status = "failed" if hook.attempts >= MAX_ATTEMPTS else "pending"
                hook.next_try_at = utcnow() + timedelta(seconds=30 * 2**hook.attempts)
            session.flush()
    finally:
        if own:
            http.close()
    return delivered
