"""Keeping the filings in step with the register: drafts, deadlines, filing, reminders.

    created = regenerate(session, register, register_sha256, today=date.today())
    mark_filed(session, draft_id, filed_on=date(2026, 4, 10), registry_number="77-26-000123",
               actor="dpo@example.com")
    remind(session, register, today=date.today())   # queues reminders in the outbox

``regenerate`` is idempotent: a register whose drafts equal the ones already kept creates
nothing. Against the last *filed* notification it decides what to file: the Art. 22
notification of intention when none was filed yet, a notification of changes (due by the 15th
of the next month) when the filed one no longer matches, and an Art. 12 notification when the
register declares transfers abroad that no filed Art. 12 notification covers (due before the
transfer starts, i.e. now: the register already declares it). Every draft created and every
filing is written to the audit log.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.filings.rkn import Draft, changed_fields, intention_draft, transfer_draft, under_152fz
from steward.filings.tables import FilingDraft
from steward.law.filings import (
    FilingDue,
    FilingKind,
    change_notification_due,
    transfer_notification_due,
)
from steward.ledger import audit
from steward.lib import i18n
from steward.lib.i18n import N_, Told
from steward.notify import outbox
from steward.register.models import Register

ART22 = (FilingKind.INTENTION.value, FilingKind.CHANGE.value)
ART12 = (FilingKind.TRANSFER.value,)
REMIND_BEFORE = timedelta(days=7)
ACTOR = "steward"


class FilingError(Told, ValueError):
    """A filing action that cannot apply (unknown draft, already filed); says which
    (``i18n.told``)."""


def drafts(session: Session, operator_id: str) -> list[FilingDraft]:
    """Every draft of the operator, newest first: the history the Filings page shows."""
    return list(
        session.scalars(
            select(FilingDraft)
            .where(FilingDraft.operator_id == operator_id)
            .order_by(FilingDraft.id.desc())
        )
    )


def _latest(
    session: Session, operator_id: str, kinds: tuple[str, ...], status: str
) -> FilingDraft | None:
    return session.scalars(
        select(FilingDraft)
        .where(
            FilingDraft.operator_id == operator_id,
            FilingDraft.kind.in_(kinds),
            FilingDraft.status == status,
        )
        .order_by(FilingDraft.id.desc())
        .limit(1)
    ).first()


def stored_fields(row: FilingDraft) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(row.fields)
    return result


def _keep(
    session: Session,
    draft: Draft,
    kind: FilingKind,
    register_sha256: str,
    *,
    due: FilingDue | None,
    changes: list[dict[str, Any]],
    open_row: FilingDraft | None,
) -> FilingDraft:
    if open_row is not None:
        open_row.status = "superseded"
    row = FilingDraft(
        operator_id=draft.operator_id,
        kind=kind.value,
        register_sha256=register_sha256,
        sha256=draft.sha256,
        fields=json.dumps(draft.fields, ensure_ascii=False, sort_keys=True),
        missing=json.dumps(draft.missing, ensure_ascii=False),
        changes=json.dumps(changes, ensure_ascii=False, sort_keys=True, default=str),
        due_on=due.due if due else None,
        event_on=due.event if due else None,
        due_citation=due.citation_ru if due else None,
        status="draft",
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=ACTOR,
        action="filing.draft",
        object_type="filing",
        object_id=str(row.id),
        details={
            "kind": kind.value,
            "due": row.due_on.isoformat() if row.due_on else None,
            "changed": [c["field"] for c in changes],
            "supersedes": open_row.id if open_row else None,
        },
    )
    return row


def _regenerate_22(
    session: Session, register: Register, sha: str, today: date
) -> FilingDraft | None:
    draft = intention_draft(register)
    operator = register.operator.id
    filed = _latest(session, operator, ART22, "filed")
    open_row = _latest(session, operator, ART22, "draft")
    if filed is not None and filed.sha256 == draft.sha256:
        if open_row is not None:  # the register went back to what was filed
            open_row.status = "superseded"
        return None
    if open_row is not None and open_row.sha256 == draft.sha256:
        return None
    if filed is None:
        return _keep(
            session, draft, FilingKind.INTENTION, sha, due=None, changes=[], open_row=open_row
        )
    changes = changed_fields(stored_fields(filed), draft.fields)
    # Changes are reported for the month they occur in: an open draft keeps its earlier date.
    first = open_row.event_on if open_row is not None and open_row.event_on else today
    due = change_notification_due(first)
    return _keep(
        session, draft, FilingKind.CHANGE, sha, due=due, changes=changes, open_row=open_row
    )


def _regenerate_12(
    session: Session, register: Register, sha: str, today: date
) -> FilingDraft | None:
    operator = register.operator.id
    filed_22 = _latest(session, operator, ART22, "filed")
    draft = transfer_draft(register, filed_22.registry_number if filed_22 else None)
    open_row = _latest(session, operator, ART12, "draft")
    if draft is None:
        if open_row is not None:
            open_row.status = "superseded"
        return None
    filed = _latest(session, operator, ART12, "filed")
    if filed is not None and filed.sha256 == draft.sha256:
        return None
    if open_row is not None and open_row.sha256 == draft.sha256:
        return None
    changes = changed_fields(stored_fields(filed), draft.fields) if filed else []
    first = open_row.event_on if open_row is not None and open_row.event_on else today
    return _keep(
        session,
        draft,
        FilingKind.TRANSFER,
        sha,
        due=transfer_notification_due(first),
        changes=changes,
        open_row=open_row,
    )


def regenerate(
    session: Session, register: Register, register_sha256: str, *, today: date
) -> list[FilingDraft]:
    """Bring the drafts in step with ``register``; returns the drafts created (often none)."""
    if not under_152fz(register):
        return []
    created = [
        _regenerate_22(session, register, register_sha256, today),
        _regenerate_12(session, register, register_sha256, today),
    ]
    return [row for row in created if row is not None]


def mark_filed(
    session: Session, draft_id: int, *, filed_on: date, registry_number: str, actor: str
) -> FilingDraft:
    """Record that the draft was filed with Roskomnadzor (date and number it gave)."""
    row = session.get(FilingDraft, draft_id)
    if row is None:
        raise FilingError(N_("no filing draft %(id)s"), id=draft_id)
    if row.status != "draft":
        raise FilingError(
            N_("filing %(id)s is %(status)s; only a draft can be filed"),
            id=draft_id,
            status=row.status,
        )
    number = registry_number.strip()
    if not number or len(number) > 100:
        raise FilingError(N_("give the number Roskomnadzor assigned (1 to 100 characters)"))
    row.status, row.filed_on, row.registry_number, row.filed_by = "filed", filed_on, number, actor
    audit.record(
        session,
        actor=actor,
        action="filing.filed",
        object_type="filing",
        object_id=str(row.id),
        details={"kind": row.kind, "filed_on": filed_on.isoformat(), "number": number},
    )
    session.flush()
    return row


SUBJECT = N_("Filing due %(due)s: %(kind)s (%(operator)s)")
REMINDER_TEXT = {
    "due": N_(
        "The %(kind)s for %(operator_name)s is due by %(due)s (%(citation)s).\n\nThe draft, "
        "with the fields still to complete, is on the Filings page: %(link)s\n"
    ),
    "overdue": N_(
        "The %(kind)s for %(operator_name)s is overdue since %(due)s (%(citation)s).\n\nThe "
        "draft, with the fields still to complete, is on the Filings page: %(link)s\n"
    ),
}
"""The reminder's subject and bodies, English here, each other language from the catalogue."""
KIND_NAMES = {
    FilingKind.INTENTION.value: N_("152-FZ Art. 22 notification of intention to process"),
    FilingKind.CHANGE.value: N_("152-FZ Art. 22 notification of changes"),
    FilingKind.CESSATION.value: N_("152-FZ Art. 22 notification of cessation"),
    FilingKind.TRANSFER.value: N_("152-FZ Art. 12 cross-border transfer notification"),
}


def kind_name(kind: str, lang: str) -> str:
    """A draft's kind as a reader of ``lang`` names it (an unknown kind: its code)."""
    return i18n.say(KIND_NAMES[kind], lang) if kind in KIND_NAMES else kind


def remind(session: Session, register: Register, *, today: date, base_url: str = "") -> int:
    """Queue one reminder per open draft due within a week (or overdue), at most once a day.

    Sent to the DPO when the register names one, else to the privacy address, in that
    person's language (``accounts.people.staff_language``: the language chosen by the account
    on that address, else the operator's first language, else English); the draft's citation
    stays the law's text.
    """
    from steward.accounts.people import find_person, staff_language

    contacts = register.operator.contacts
    to = contacts.staff_address
    lang = staff_language(session, find_person(session, to))
    rows = session.scalars(
        select(FilingDraft).where(
            FilingDraft.operator_id == register.operator.id,
            FilingDraft.status == "draft",
            FilingDraft.due_on.is_not(None),
        )
    ).all()
    sent = 0
    for row in rows:
        assert row.due_on is not None
        if row.due_on - today > REMIND_BEFORE or row.reminded_on == today:
            continue
        values = {
            "kind": kind_name(row.kind, lang),
            "operator": register.operator.id,
            "operator_name": register.operator.legal_name,
            "due": row.due_on.isoformat(),
            "citation": row.due_citation,
            "link": f"{base_url.rstrip('/')}/admin/filings",
        }
        text = REMINDER_TEXT["overdue" if row.due_on < today else "due"]
        outbox.queue(
            session,
            to=to,
            subject=i18n.say(SUBJECT, lang, values),
            text=i18n.say(text, lang, values),
            kind="filing.reminder",
            lang=lang,
            related=f"filing:{row.id}",
        )
        row.reminded_on = today
        sent += 1
    session.flush()
    return sent
