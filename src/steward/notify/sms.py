"""Text messages through the operator's HTTP SMS gateway.

    send_sms(gateway_url, token, to="+79123456789", text="...")   # raises SmsFailed

Steward speaks one small protocol that most gateways accept or that a few lines of glue can
adapt: ``POST {gateway_url}`` with ``{"to": "+7...", "text": "..."}`` as JSON and, when a token
is set, ``Authorization: Bearer <token>``; any 2xx answer means accepted. Without a gateway
(``STEWARD_SMS_GATEWAY_URL`` unset) nothing is sent: callers put the person on a call list.
"""

from __future__ import annotations

import httpx


class SmsFailed(Exception):
    """The gateway refused the message or could not be reached; ``permanent`` when 4xx."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


def send_sms(
    gateway_url: str,
    token: str | None,
    *,
    to: str,
    text: str,
    client: httpx.Client | None = None,
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    own = client is None
    http = client or httpx.Client(timeout=15)
    try:
        answer = http.post(gateway_url, json={"to": to, "text": text}, headers=headers)
    except httpx.HTTPError as exc:
        raise SmsFailed(f"gateway unreachable ({type(exc).__name__})", permanent=False) from None
    finally:
        if own:
            http.close()
    if answer.status_code >= 400:
        raise SmsFailed(
            f"gateway answered {answer.status_code}", permanent=answer.status_code < 500
        )
