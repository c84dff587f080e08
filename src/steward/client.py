"""The Python SDK for the operator's backend: record consent and ask "may I?" in microseconds.

    from steward.client import ConsentClient
    steward = ConsentClient("https://privacy.example.com", token="stw_...")
    steward.record("anna@example.com", item="newsletter-email", action="given", method="web-form")
    for person in mailing_list:
        if steward.may(person.email, "newsletter", "email"):   # from memory after the first ask
            send(person)

Answers are cached in memory. The cache is invalidated by change events: a background thread
polls ``/api/v1/consents/changes`` every ``poll_interval`` seconds (default 1 s; ``None`` turns
it off), and ``handle_webhook`` forgets a subject the moment Steward's signed webhook says a
consent was withdrawn. A time-limited permission is re-checked against the clock on every call,
so it lapses on time even while cached. Errors raise ``StewardError`` with Steward's message.

``is_restricted(subject, purpose)`` asks the restriction list (``POST /api/v1/restrictions/check``,
a token with ``restrictions:read``): True when an objection or a restriction request stopped
that purpose, or all processing, for the person. It is asked every time, never cached.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from typing import Any

import httpx

from steward.consent import signature

__all__ = ["ConsentClient", "StewardError"]

CacheKey = tuple[str, str, str, str]


class StewardError(Exception):
    """Steward answered with an error; ``code`` and ``status`` say which."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class ConsentClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        http: httpx.Client | None = None,
        poll_interval: float | None = 1.0,
        webhook_secret: bytes | str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._http = http or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self._owns_http = http is None
        self._headers = {"Authorization": f"Bearer {token}"}
        self._cache: dict[CacheKey, tuple[bool, float | None]] = {}
        self._by_subject: dict[str, set[CacheKey]] = {}
        self._unknown: set[CacheKey] = set()
        self._lock = threading.Lock()
        self._watermark: int | None = None
        self._poll_interval = poll_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if isinstance(webhook_secret, str):
            webhook_secret = webhook_secret.encode()
        self._webhook_secret = webhook_secret

    # -- HTTP ------------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        return self._request(method, "/api/v1/consents" + path, body, **params)

    def _request(self, method: str, url: str, body: Any = None, **params: Any) -> Any:
        response = self._http.request(
            method,
            url,
            json=body,
            params=params or None,
            headers=self._headers,
        )
        if response.is_success:
            return response.json()
        try:
            err = response.json()["error"]
            raise StewardError(response.status_code, err["code"], err["message"])
        except (ValueError, KeyError, TypeError):
            raise StewardError(response.status_code, "http", response.text[:300]) from None

    @staticmethod
    def _ref(subject: str, kind: str) -> dict[str, Any]:
        if kind == "subject_id":
            return {"subject_id": subject}
        return {"identifiers": {kind: subject}}

    # -- recording -------------------------------------------------------------------------
    def record(
        self, subject: str, *, action: str = "given", kind: str = "email", **fields: Any
    ) -> dict[str, Any]:
        """Record an event (fields as in ``POST /api/v1/consents/events``); the event made."""
        for key, value in list(fields.items()):
            if isinstance(value, datetime):
                fields[key] = value.isoformat()
        result: dict[str, Any] = self._call(
            "POST", "/events", dict(self._ref(subject, kind), action=action, **fields)
        )
        self.forget_subject(result["subject_id"])
        return result

    def withdraw(self, subject: str, *, kind: str = "email", **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", "/withdraw", dict(self._ref(subject, kind), **fields)
        )
        self.forget_subject(result["subject_id"])
        return result

    # -- asking ----------------------------------------------------------------------------
    def check(
        self, subject: str, purpose: str, channel: str = "any", kind: str = "email"
    ) -> dict[str, Any]:
        """Ask Steward directly (no cache): allowed, reason, event_id, expires_at, subject_id."""
        answer: dict[str, Any] = self._call(
            "POST", "/check", dict(self._ref(subject, kind), purpose=purpose, channel=channel)
        )
        return answer

    def may(self, subject: str, purpose: str, channel: str = "any", kind: str = "email") -> bool:
        """True when the subject's consent allows ``purpose`` over ``channel`` now."""
        key = (kind, subject, purpose, channel)
        hit = self._cache.get(key)
        if hit is not None and (hit[1] is None or hit[1] > time.time()):
            return hit[0]
        return self._miss(key)

    def restrictions(
        self, subject: str, *, purpose: str | None = None, kind: str = "email"
    ) -> dict[str, Any]:
        """The restriction list's answer: ``restricted`` and the ``restrictions`` behind it."""
        if kind not in ("email", "phone", "account-id"):
            raise ValueError("kind must be email, phone or account-id")
        body = {"identifiers": {kind: subject}, "purpose": purpose}  # never in the URL
        answer: dict[str, Any] = self._request("POST", "/api/v1/restrictions/check", body)
        return answer

    def is_restricted(self, subject: str, purpose: str | None = None, kind: str = "email") -> bool:
        """True when the person's processing for ``purpose`` (or at all) is restricted."""
        return bool(self.restrictions(subject, purpose=purpose, kind=kind)["restricted"])

    def _miss(self, key: CacheKey) -> bool:
        self._start()
        kind, subject, purpose, channel = key
        answer = self.check(subject, purpose, channel, kind)
        expires = answer.get("expires_at")
        until = datetime.fromisoformat(expires).timestamp() if expires else None
        allowed = bool(answer["allowed"])
        if until is not None and until <= time.time():
            allowed, until = False, None
        with self._lock:
            self._cache[key] = (allowed, until)
            subject_id = answer.get("subject_id")
            if subject_id:
                self._by_subject.setdefault(subject_id, set()).add(key)
            else:
                self._unknown.add(key)
        return allowed

    # -- invalidation ----------------------------------------------------------------------
    def forget_subject(self, subject_id: str) -> None:
        with self._lock:
            for key in self._by_subject.pop(subject_id, ()):
                self._cache.pop(key, None)
            # A subject seen for the first time may be one we cached as unknown.
            for key in self._unknown:
                self._cache.pop(key, None)
            self._unknown.clear()

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._by_subject.clear()
            self._unknown.clear()

    def refresh(self) -> int:
        """Apply the change feed since the last call; the number of subjects forgotten."""
        if self._watermark is None:
            self._watermark = int(self._call("GET", "/changes", after=2**62)["head"])
            return 0
        forgotten = 0
        while True:
            page = self._call("GET", "/changes", after=self._watermark)
            for subject_id in page["subjects"]:
                self.forget_subject(subject_id)
                forgotten += 1
            self._watermark = int(page["last"])
            if not page["more"]:
                return forgotten

    def handle_webhook(self, body: bytes, signature_header: str) -> dict[str, Any]:
        """Verify a Steward webhook, forget its subject, return its payload; raises if forged."""
        if self._webhook_secret is None:
            raise StewardError(0, "no-secret", "pass webhook_secret to verify webhooks")
        if not signature.verify(self._webhook_secret, body, signature_header):
            raise StewardError(0, "bad-signature", "the webhook's signature does not verify")
        payload: dict[str, Any] = json.loads(body)
        self.forget_subject(str(payload["subject_id"]))
        return payload

    def _start(self) -> None:
        if self._watermark is None:
            self.refresh()
        if self._poll_interval is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._poll, name="steward-consent-poll", daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        assert self._poll_interval is not None
        while not self._stop.wait(self._poll_interval):
            try:
                self.refresh()
            except (httpx.HTTPError, StewardError):
                # Unreachable for now: forget everything rather than answer from stale memory.
                self.clear()

    # -- other calls -----------------------------------------------------------------------
    def state(self, subject_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/subjects/{subject_id}")
        return result

    def history(self, subject_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/subjects/{subject_id}/history")
        return result

    def consent_document(self, item: str, lang: str = "ru") -> dict[str, Any]:
        """The written consent of ``item`` to present to the subject: {"text", "sha256", ...}.

        For an item the register marks ``written``, recording ``given`` keeps this text's hash
        in the ledger as what the subject agreed to."""
        result: dict[str, Any] = self._call("GET", f"/documents/{item}", lang=lang)
        return result

    def receipt(self, receipt_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/receipts/{receipt_id}")
        return result

    def unsubscribe_link(
        self, subject: str, purpose: str, channel: str = "email", kind: str = "email"
    ) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST",
            "/unsubscribe-links",
            dict(self._ref(subject, kind), purpose=purpose, channel=channel),
        )
        return result

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ConsentClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
