"""The seam to the executors (``datastores/``): carry out a verified request, record the result.

    class Executor(Protocol):
        def execute(self, order: Order) -> Result: ...

    run(session, request, executor, actor="agent@example.com")   # verified -> in-progress,
                                                                # result stored, timeline entry
    complete(session, request, actor=..., outcome=..., secret=..., base_url=...)

An ``Order`` carries only what an executor needs: the kind and the normalised identifiers
that are proven (``verification.proven``); the ones that are not are named in ``not_searched``
and never reach the executor.
The executor returns a ``Result``: a summary for the timeline and, for access and portability,
the file to hand to the subject. Erasure results wait for approval when ``needs_approval``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from steward.register import Register
from steward.requests import emails, links, service, verification
from steward.requests.states import RequestError, State
from steward.requests.tables import SubjectRequest

RESULT_KINDS = frozenset({"access", "portability", "information"})


@dataclass(frozen=True)
class Order:
    reference: str
    kind: str
    email: str | None
    phone: str | None
    account_id: str | None
    not_searched: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    summary: str
    data: bytes | None = None
    content_type: str = "application/json"
    needs_approval: bool = False


class Executor(Protocol):
    def execute(self, order: Order) -> Result: ...


def order_for(request: SubjectRequest) -> Order:
    """The order for a verified request: its proven identifiers only.

    Raises ``RequestError`` when the request is not verified or proves no identifier.
    """
    if request.verification_required and request.verified_at is None:
        raise RequestError("the subject's identity is not verified; nothing is executed")
    proven = verification.proven(request)
    carried = verification.identifiers_of(request)
    if not proven:
        raise RequestError(
            "no identifier of this request is proven; nothing is searched. Confirm the "
            "identifiers you checked (an agent's check) or have the subject enter their code"
        )
    return Order(
        request.reference,
        request.kind,
        request.email if "email" in proven else None,
        request.phone if "phone" in proven else None,
        request.account_id if "account-id" in proven else None,
        tuple(name for name in carried if name not in proven),
    )


def record_result(session: Session, request: SubjectRequest, result: Result, *, actor: str) -> None:
    """Store an executor's result on the request (the file replaces any earlier one)."""
    if result.data is not None:
        request.result, request.result_type = result.data, result.content_type
        request.result_nonce = secrets.token_hex(16)
    request.outcome = result.summary
    service.record_event(session, request, actor, "executed", result.summary[:2000])
    if result.needs_approval and request.state == State.IN_PROGRESS:
        service.transition(
            session,
            request,
            State.AWAITING_APPROVAL,
            actor=actor,
            why="the executor asks for approval",
        )


def run(
    session: Session,
    request: SubjectRequest,
    executor: Executor,
    *,
    actor: str,
    register: Register | None = None,
) -> Result:
    """Hand a verified request to ``executor`` and record what it returns."""
    order = order_for(request)
    if request.state == State.VERIFIED:
        service.transition(session, request, State.IN_PROGRESS, actor=actor, why="executing")
    if request.state != State.IN_PROGRESS:
        raise RequestError(f"a request in state '{request.state}' is not executed")
    result = executor.execute(order)
    record_result(session, request, result, actor=actor)
    return result


def complete(
    session: Session,
    request: SubjectRequest,
    *,
    actor: str,
    outcome: str,
    secret: str,
    base_url: str,
    link_days: int = 7,
    register: Register | None = None,
) -> str | None:
    """Close the request as completed and e-mail the subject; returns the result link, if any."""
    service.transition(
        session, request, State.COMPLETED, actor=actor, why=outcome, register=register
    )
    link = None
    link_text = ""
    if request.kind in RESULT_KINDS and request.result is not None:
        if request.result_nonce is None:
            request.result_nonce = secrets.token_hex(16)
        token = links.result_token(secret, request.id, request.result_nonce)
        link = f"{base_url.rstrip('/')}/privacy/requests/result/{token}"
        link_text = emails.LINK_TEXT.get(request.lang, emails.LINK_TEXT["en"]).format(
            days=link_days, link=link
        )
    emails.send(session, request, "completed", outcome=outcome, link_text=link_text)
    return link
