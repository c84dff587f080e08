"""The outbox: every e-mail Steward sent or would send.

Links in e-mails are secrets (invitations, password resets, a subject's consent page, result
downloads) and codes prove a subject's identity: whoever holds one acts as its owner. So only
people who manage accounts (the owner) see them unmasked; everyone else (DPO, auditor, agent)
reads the message with every link and every six-digit code hidden.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from steward.lib.i18n import N_
from steward.notify.outbox import OutboxMessage
from steward.web.auth import Principal, require
from steward.web.errors import ApiError
from steward.web.pages.common import store
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require("outbox.read"))]
LINK = re.compile(r"https?://\S+")
CODE = re.compile(r"\b\d{6}\b")  # a subject's verification code
PAGE = 50


def _body(message: OutboxMessage, who: Principal) -> str:
    if who.can("people.manage"):
        return message.body_text
    text = LINK.sub("[link hidden: it is a secret]", message.body_text)
    return CODE.sub("[code hidden]", text)


@router.get("/admin/outbox", response_class=HTMLResponse)
def outbox(
    request: Request, who: Reader, before: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    with store(request) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE + 1)
        if before is not None:
            query = query.where(OutboxMessage.id < before)
        rows = list(session.scalars(query))
        failed = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "failed")
        )
        settings = request.app.state.settings
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return templates.TemplateResponse(
        request,
        "admin/outbox.html",
        {
            "rows": rows,
            "smtp": bool(settings.smtp_url),
            "keep_days": settings.outbox_keep_sent_days,
            "failed": failed,
            "next_before": rows[-1].id if more and rows else None,
        },
    )


@router.get("/admin/outbox/{message_id}", response_class=HTMLResponse)
def outbox_message(request: Request, message_id: int, who: Reader) -> Response:
    with store(request) as session:
        message = session.get(OutboxMessage, message_id)
        if message is None:
            raise ApiError(404, "not_found", N_("No message %(id)s."), id=message_id)
        body = _body(message, who)
    return templates.TemplateResponse(
        request, "admin/outbox_message.html", {"message": message, "body": body}
    )
