"""An incident's evidence: everything recorded about it, as JSON values, HTML and PDF.

    body = build(session, register, incident)   # plain JSON values (the admin's and API's JSON)
    page = html(body)                           # a printable document (breaches/templates)
    document = pdf(body)                        # lib.pdf.html_to_pdf of that document

The evidence names what was done and when: the clocks with their citations and whether each
notice was recorded as sent, the letters per channel and outcome (an e-mail counts as sent only
once the SMTP server accepted it), the affected subjects' count and whether it is complete, and
the timeline. It never holds a subject's e-mail address or phone number.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.breaches import drafts, service
from steward.breaches.tables import Incident
from steward.lib.pdf import html_to_pdf
from steward.notify.outbox import OutboxMessage
from steward.register import Register

TEMPLATES = Path(__file__).parent / "templates"


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _letter_outcomes(session: Session, incident: Incident) -> list[dict[str, Any]]:
    """Each letter with its outcome; an e-mail's is its outbox message's (sent when accepted)."""
    letters = service.letters(session, incident)
    ids = [d.outbox_id for d in letters if d.outbox_id is not None]
    mail: dict[int, OutboxMessage] = {}
    if ids:
        query = select(OutboxMessage).where(OutboxMessage.id.in_(ids))
        mail = {m.id: m for m in session.scalars(query)}
    rows = []
    for d in letters:
        message = mail.get(d.outbox_id) if d.outbox_id is not None else None
        status = message.status if message is not None else d.status
        rows.append(
            {
                "channel": d.channel,
                "lang": d.lang,
                "status": status,
                "at": _moment(message.sent_at if message and message.sent_at else d.at),
                "error": (message.error if message is not None else None) or d.error,
            }
        )
    return rows


def build(session: Session, register: Register | None, incident: Incident) -> dict[str, Any]:
    """Everything recorded about an incident, as plain JSON values."""
    done_clocks = service.clocks(register, incident, session)
    letters = _letter_outcomes(session, incident)
    summary = Counter((row["channel"], row["lang"] or "", row["status"]) for row in letters)
    return {
        "reference": incident.reference,
        "generated_at": datetime.now(UTC).isoformat(),
        "operator": register.operator.legal_name if register else None,
        "status": incident.status,
        "source": incident.source,
        "detected_at": _moment(incident.detected_at),
        "occurred_at": _moment(incident.occurred_at),
        "nature": incident.nature,
        "cause": incident.cause,
        "consequences": incident.consequences,
        "measures": incident.measures,
        "contact": incident.contact,
        "datastores": service.listed(incident.datastores),
        "categories": service.listed(incident.categories),
        "risk": {"level": incident.risk, "reason": incident.risk_reason},
        "affected": {
            "state": incident.count_state,
            "complete": incident.count_state == "complete",
            "subjects": incident.subjects_count,
            "records": json.loads(incident.counts or "{}"),
            "not_counted": json.loads(incident.count_problems or "{}"),
            "counted_at": _moment(incident.counted_at),
        },
        "clocks": [
            {
                "duty": clock.duty.id,
                "recipient": clock.duty.recipient,
                "citation": clock.duty.citation,
                "applies": clock.applies,
                "due": _moment(clock.due),
                "note": clock.note,
                "done_at": _moment(done.done_at) if done else None,
                "done_by": done.actor if done else None,
                "reference": done.reference if done else None,
            }
            for clock, done in done_clocks
        ],
        "letters": letters,
        "letters_summary": [
            {"channel": channel, "lang": lang or None, "status": status, "count": count}
            for (channel, lang, status), count in sorted(summary.items())
        ],
        "subjects_notified_at": _moment(incident.subjects_notified_at),
        "timeline": [
            {"at": _moment(e.at), "actor": e.actor, "kind": e.kind, "summary": e.summary}
            for e in service.timeline(session, incident)
        ],
        "drafts": [d.as_dict() for d in drafts.authority_drafts(register, incident)],
        "closed_at": _moment(incident.closed_at),
        "closing_note": incident.closing_note,
    }


def _when(value: str | None) -> str:
    """An ISO moment as the document prints it: minutes, UTC."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html.j2", "html"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    return env


def html(body: dict[str, Any]) -> str:
    """The evidence as one printable HTML document."""
    css = (TEMPLATES / "evidence.css").read_text(encoding="utf-8")
    return environment().get_template("evidence.html.j2").render(e=body, css=css)


def pdf(body: dict[str, Any]) -> bytes:
    """The evidence document as PDF (the one renderer, ``lib.pdf``)."""
    return html_to_pdf(html(body))
