"""The requests service: intake, duplicates, clocks, transitions, extensions, pauses, the queue.

Every function takes the caller's session and leaves committing to it; every change is written
to the request's timeline and to the audit log (ids and kinds only, no identifiers).
Errors are ``RequestError`` subclasses whose message says what is wrong and what would work.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from steward.law import LAWS, RequestKind, law
from steward.ledger import audit
from steward.lib import i18n
from steward.lib.i18n import N_, Phrase
from steward.lib.identifiers import IdentifierError, clean_account, clean_email, clean_phone
from steward.register import Register
from steward.requests import clock, emails
from steward.requests.attachments import CheckedAttachment, SignedDocumentRequired
from steward.requests.states import CLOSED, OPEN, RequestError, State, check_transition
from steward.requests.tables import (
    RequestAttachment,
    RequestEvent,
    RequestPause,
    RequestProof,
    SubjectRequest,
)
from steward.store.tables import utcnow

DUE_SOON_DAYS = 3


@dataclass
class Intake:
    """What a subject (or an agent on their behalf) files."""

    kind: str
    subject_kind: str | None = None  # the register's subject kind; None: the register's default
    email: str | None = None
    phone: str | None = None
    account_id: str | None = None
    jurisdiction: str | None = None
    details: str = ""
    lang: str = "en"
    channel: str = "privacy-center"
    attachment: CheckedAttachment | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _subject_kind(register: Register | None, given: str | None) -> str | None:
    """The subject kind a request is for: the one given, else the register's default.

    Recorded at filing, so the request says whose rows it was for even if the register's
    default changes later. Raises ``RequestError`` for a kind the register does not declare.
    """
    chosen = (given or "").strip()
    if register is None:
        return chosen or None
    kinds = [s.id for s in register.subjects]
    chosen = chosen or register.default_subject()
    if chosen not in kinds:
        raise RequestError(
            N_("'%(kind)s' is not a subject kind of the register; kinds: %(kinds)s"),
            kind=chosen,
            kinds=", ".join(kinds),
        )
    return chosen


def subject_kind_of(register: Register, request: SubjectRequest) -> str:
    """The subject kind ``request`` is for (recorded at filing; before kinds were recorded,
    the register's default). Raises ``RequestError`` when the register in force no longer
    declares it: its runs would search nothing and say "nothing found"."""
    kind = request.subject_kind or register.default_subject()
    if kind not in {s.id for s in register.subjects}:
        raise RequestError(
            N_(
                "the register no longer declares the subject kind '%(kind)s' this request was "
                "filed for; nothing runs (change the request's subject kind on its page, declare "
                "the kind again, or reject the request)"
            ),
            kind=kind,
        )
    return kind


def _cleaned(clean: Callable[[str], str], value: str | None) -> str | None:
    """``clean(value)`` from ``lib/identifiers``, None when nothing was typed."""
    if not value or not value.strip():
        return None
    try:
        return clean(value)
    except IdentifierError as exc:
        raise RequestError(exc.text, **exc.params) from None


def set_outcome(request: SubjectRequest, outcome: str | Phrase) -> None:
    """Put what was done on the request: its English (``outcome``) and, when Steward wrote it,
    its phrase (``outcome_message``), so the admin says it in the reader's language."""
    request.outcome, request.outcome_message = str(outcome), i18n.phrase_json(outcome)


def outcome_of(request: SubjectRequest) -> str | Phrase | None:
    """The outcome ``set_outcome`` put on the request: its phrase when kept, else as stored."""
    if request.outcome_message:
        try:
            return Phrase.load(json.loads(request.outcome_message))
        except (ValueError, TypeError, AttributeError):  # no phrase can be read: as stored
            pass
    return request.outcome


def record_event(
    session: Session,
    request: SubjectRequest,
    actor: str,
    action: str,
    note: str | Phrase = "",
    *,
    from_state: str | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry to the request's timeline and to the audit log (no identifiers).

    ``note``: a person's text as typed (a ``str``), or Steward's own line as a ``Phrase``,
    kept as its message id and values (``message``) beside its English (``note``) so that the
    admin says it in the reader's language."""
    message = i18n.phrase_json(note)
    session.add(
        RequestEvent(
            request_id=request.id,
            actor=actor,
            action=action,
            from_state=from_state,
            to_state=request.state,
            note=str(note),
            message=message,
            at=utcnow(),
        )
    )
    audit.record(
        session,
        actor=actor,
        action=f"request.{action}",
        object_type="request",
        object_id=request.id,
        ip=ip,
        details={"kind": request.kind, "state": request.state, **(details or {})},
    )


def jurisdictions_of(request: SubjectRequest) -> list[str]:
    return [j for j in request.jurisdictions.split(",") if j]


def current_clock(register: Register | None, request: SubjectRequest) -> clock.Clock:
    """The clock the request's current facts give, without changing the request."""
    return clock.compute(
        register,
        jurisdictions_of(request),
        RequestKind(request.kind),
        request.received_on,
        extended=request.extended,
        paused_days=request.paused_days,
        identity_confirmed=request.verified_at.date() if request.verified_at else None,
    )


def recompute(register: Register | None, request: SubjectRequest) -> clock.Clock:
    """Set the request's due date and the rule that sets it from its current facts."""
    found = current_clock(register, request)
    request.due_on, request.clock_rule = found.due, found.rule[:500]
    request.clock_jurisdiction, request.clock_start = found.jurisdiction, found.clock_start
    request.acknowledge_by = found.acknowledge_by
    return found


def _proven_values(request: SubjectRequest) -> set[tuple[str, str]]:
    """(identifier, value) pairs the request has proven."""
    names = {proof.identifier for proof in request.proofs}
    columns = {"email": "email", "phone": "phone", "account-id": "account_id"}
    return {
        (name, value)
        for name, column in columns.items()
        if name in names and (value := getattr(request, column))
    }


def find_duplicate(session: Session, request: SubjectRequest) -> SubjectRequest | None:
    """An earlier open, verified request of the same kind sharing a proven identifier.

    Both sides must have proven the identifier they share: a request filed with someone
    else's address never captures that person's own request.
    """
    mine = _proven_values(request)
    if not mine:
        return None
    columns = {"email": SubjectRequest.email, "phone": SubjectRequest.phone}
    columns["account-id"] = SubjectRequest.account_id
    same = [(RequestProof.identifier == name) & (columns[name] == value) for name, value in mine]
    query = (
        select(SubjectRequest)
        .join(RequestProof, RequestProof.request_id == SubjectRequest.id)
        .where(
            SubjectRequest.kind == request.kind,
            SubjectRequest.state.in_([s.value for s in OPEN]),
            SubjectRequest.verified_at.is_not(None),
            SubjectRequest.duplicate_of.is_(None),
            SubjectRequest.id != request.id,
            or_(*same),
        )
        .order_by(SubjectRequest.id)
        .limit(1)
    )
    return session.scalars(query).first()


def link_duplicate(session: Session, request: SubjectRequest, *, actor: str) -> None:
    """Once a request has proven an identifier, link it to an earlier one that proved it too."""
    if request.duplicate_of is not None or request.state in {s.value for s in CLOSED}:
        return
    if session.scalar(select(SubjectRequest.id).where(SubjectRequest.duplicate_of == request.id)):
        return  # already an original to others
    original = find_duplicate(session, request)
    if original is None:
        return
    request.duplicate_of = original.id
    answered = Phrase(N_("answered with %(reference)s"), reference=original.reference)
    record_event(session, request, actor, "duplicate-of", answered)
    linked = Phrase(N_("%(reference)s linked"), reference=request.reference)
    record_event(session, original, actor, "duplicate-linked", linked)


def file_request(
    session: Session,
    register: Register | None,
    intake: Intake,
    *,
    actor: str = "subject",
    ip: str | None = None,
    now: datetime | None = None,
    zone: str = "UTC",
) -> SubjectRequest:
    """Record a request, compute its clock, queue the receipt e-mail.

    Nothing the intake carries is proven yet: duplicates are linked only once identifiers are
    proven (``verification.prove``), and only proven identifiers are ever searched.

    Raises ``RequestError`` for an unknown kind, a kind no applicable law or promise grants,
    garbage identifiers, no identifier at all, or a missing document the operator requires.
    Nothing is stored when it raises. The day of receipt is the date in ``zone`` (an IANA name,
    the operator's ``STEWARD_REQUESTS_TIMEZONE``).
    """
    now = now or utcnow()
    try:
        received_on = now.astimezone(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        raise RequestError(
            N_("'%(zone)s' is not an IANA time zone (e.g. Europe/Moscow)"), zone=zone
        ) from None
    try:
        kind = RequestKind(intake.kind)
    except ValueError:
        raise RequestError(
            N_("'%(kind)s' is not a kind of request; kinds: %(kinds)s"),
            kind=intake.kind,
            kinds=", ".join(k.value for k in RequestKind),
        ) from None
    jurisdictions = clock.applicable(register, intake.jurisdiction or None)
    if kind not in clock.kinds_allowed(register, jurisdictions):
        raise RequestError(
            N_("a '%(kind)s' request is not available under %(laws)s"),
            kind=kind.value,
            laws=", ".join(jurisdictions),
        )
    subject_kind = _subject_kind(register, intake.subject_kind)
    region = register.operator.country if register else None
    email = _cleaned(clean_email, intake.email)
    phone = _cleaned(lambda typed: clean_phone(typed, region), intake.phone)
    account = _cleaned(clean_account, intake.account_id)
    if not (email or phone or account):
        raise RequestError(
            N_("give at least one identifier: an e-mail, a telephone or an account id")
        )
    policy = register.policy.requests if register and register.policy else None
    signed = policy is not None and policy.signed_document
    if signed and intake.attachment is None:
        # the register's rule holds on every channel: Privacy Center, API, in-app, e-mail, phone
        raise SignedDocumentRequired(
            N_(
                "attach a scan of the request bearing your signature (PDF, JPEG or PNG): "
                "the operator requires a signed document on every channel"
            )
        )
    if len(intake.details) > 10_000:
        raise RequestError(N_("the description is longer than 10,000 characters; shorten it"))
    request = SubjectRequest(
        reference="R-" + secrets.token_hex(4).upper(),
        kind=kind.value,
        subject_kind=subject_kind,
        state=State.RECEIVED.value,
        lang=intake.lang if intake.lang in ("en", "ru") else "en",
        channel=intake.channel,
        email=email,
        phone=phone,
        account_id=account,
        jurisdictions=",".join(jurisdictions),
        stated_jurisdiction=intake.jurisdiction or None,
        details=intake.details,
        received_at=now,
        received_on=received_on,
        extended=False,
        paused_days=0,
        verification_required=clock.needs_verification(kind, jurisdictions),
        updated_at=now,
    )
    session.add(request)
    session.flush()
    recompute(register, request)
    if intake.attachment is not None:
        a = intake.attachment
        session.add(
            RequestAttachment(
                request_id=request.id,
                filename=a.filename,
                content_type=a.content_type,
                size=len(a.content),
                sha256=a.sha256,
                content=a.content,
            )
        )
    note = f"{request.clock_rule}"
    record_event(session, request, actor, "file", note, ip=ip, details={"channel": intake.channel})
    rule = f" ({request.clock_rule.split(': ', 1)[-1]})" if request.due_on else ""
    emails.send(session, request, "receipt", rule=rule)
    if not request.verification_required:
        request.state = State.VERIFIED.value
        record_event(
            session,
            request,
            "steward",
            "verification-waived",
            Phrase(N_("the law requires no identity check for this kind")),
            from_state="received",
        )
    return request


def transition(
    session: Session,
    request: SubjectRequest,
    to: str,
    *,
    actor: str,
    why: str | Phrase = "",
    ip: str | None = None,
    register: Register | None = None,
    gate: bool = False,
) -> SubjectRequest:
    """Move the request to state ``to``; a rejection needs a reason. Audited with who and why.

    Completing, asking for approval and leaving "awaiting approval" belong to
    ``requests.fulfil`` (which checks the run, the preview and the approver) and pass
    ``gate=True``; anyone else asking for them gets a ``RequestError`` saying what to use.
    """
    target = check_transition(request.state, to)
    if not gate:
        _refuse_gated(request.state, target)
    if target is State.REJECTED and not str(why).strip():
        raise RequestError(N_("a rejection needs a reason the subject will read"))
    if target in (State.IN_PROGRESS, State.AWAITING_APPROVAL, State.COMPLETED) and (
        request.verification_required and request.verified_at is None
    ):
        raise RequestError(N_("the subject's identity is not verified yet"))
    previous = request.state
    request.state = target.value
    request.updated_at = utcnow()
    if target in CLOSED:
        request.closed_at = utcnow()
        if str(why):
            set_outcome(request, why)
        if request.paused_since is not None:
            resume(session, request, actor=actor, register=register)
    record_event(session, request, actor, f"to-{target.value}", why, from_state=previous, ip=ip)
    if target in CLOSED:
        _close_duplicates(session, request, actor)
    if target is State.REJECTED:
        authority = law(request.clock_jurisdiction or jurisdictions_of(request)[0]).authority
        emails.send(
            session,
            request,
            "rejected",
            outcome=why.say(request.lang) if isinstance(why, Phrase) else why,
            authority=authority.get(request.lang, authority["en"]),
        )
    return request


def _refuse_gated(current: str, target: State) -> None:
    if target is State.COMPLETED:
        raise RequestError(
            N_(
                "use Complete: it checks that the run succeeded or that an approver recorded why "
                "no run was needed"
            )
        )
    if target is State.AWAITING_APPROVAL:
        raise RequestError(N_("use Execute: it asks for approval with the preview attached"))
    if current == State.AWAITING_APPROVAL and target is State.IN_PROGRESS:
        raise RequestError(N_("only an approver's decision (approve or reject) ends the wait"))


def _close_duplicates(session: Session, original: SubjectRequest, actor: str) -> None:
    """Linked duplicates closed by the original's completion, never by its rejection.

    A completed original answers a duplicate whose proven identifiers it searched too; any
    other duplicate (the original rejected or withdrawn, or the duplicate proved more) is
    unlinked and goes back to the queue on its own.
    """
    answered = original.state == State.COMPLETED
    searched = _proven_values(original)
    for duplicate in session.scalars(
        select(SubjectRequest).where(
            SubjectRequest.duplicate_of == original.id,
            SubjectRequest.state.in_([s.value for s in OPEN]),
        )
    ):
        if not answered or not _proven_values(duplicate) <= searched:
            duplicate.duplicate_of = None
            record_event(
                session,
                duplicate,
                actor,
                "unlinked",
                Phrase(
                    N_("%(reference)s closed as %(state)s; answered on its own"),
                    reference=original.reference,
                    state=original.state,
                ),
            )
            continue
        previous = duplicate.state
        duplicate.state, duplicate.closed_at = original.state, utcnow()
        set_outcome(
            duplicate, Phrase(N_("answered with %(reference)s"), reference=original.reference)
        )
        record_event(
            session,
            duplicate,
            actor,
            "closed-with-original",
            original.reference,
            from_state=previous,
        )


def mark_verified(
    session: Session,
    request: SubjectRequest,
    *,
    how: str,
    actor: str,
    register: Register | None,
    ip: str | None = None,
) -> None:
    """The request counts as verified (``how``: email-code, operator-assertion, agent).

    This starts the clock where the law says so; it proves no identifier by itself. Call
    ``verification.prove`` with the identifiers checked: only those are searched.
    """
    if request.verified_at is not None:
        return
    request.verified_at, request.verified_by = utcnow(), how
    previous = request.state
    if request.state in (State.RECEIVED, State.VERIFYING):
        request.state = State.VERIFIED.value
    recompute(register, request)  # UK GDPR: the clock starts at identity confirmation
    record_event(
        session,
        request,
        actor,
        "verified",
        Phrase(N_("identity confirmed by %(how)s"), how=how),
        from_state=previous,
        ip=ip,
    )
    emails.send(session, request, "verified")


def extend(
    session: Session,
    request: SubjectRequest,
    *,
    reason: str,
    actor: str,
    register: Register | None,
    today: date | None = None,
) -> SubjectRequest:
    """Apply the extension the law allows, once, with the reason sent to the subject."""
    today = today or utcnow().date()
    if request.state in {s.value for s in CLOSED}:
        raise RequestError(N_("the request is closed; nothing to extend"))
    if not reason.strip():
        raise RequestError(N_("an extension needs a reason: the subject is told why"))
    found = recompute(register, request)
    if request.extended:
        raise RequestError(N_("no extension is available: it was already extended once"))
    if not found.extension_allowed:
        if "operator's promise" in found.rule:
            raise RequestError(
                N_(
                    "no extension is available: %(rule)s; the operator's promise is not "
                    "extended, and no law's extension moves the date"
                ),
                rule=found.rule,
            )
        raise RequestError(N_("no extension is available: %(rule)s"), rule=found.rule)
    if request.due_on is not None and today > request.due_on:
        raise RequestError(
            N_(
                "the deadline %(due)s has passed; the law allows an extension only when "
                "the subject is told before it"
            ),
            due=str(request.due_on),
        )
    request.extended, request.extension_reason = True, reason.strip()
    recompute(register, request)
    record_event(session, request, actor, "extended", f"{reason.strip()} -> {request.clock_rule}")
    emails.send(
        session, request, "extended", reason=reason.strip(), citation=found.extension_citation or ""
    )
    return request


def pause(
    session: Session,
    request: SubjectRequest,
    *,
    reason: str,
    actor: str,
    register: Register | None,
) -> RequestPause:
    """Stop the clock while awaiting the subject, only where the law lets it stop."""
    found = recompute(register, request)
    if not found.pausable:
        raise RequestError(
            N_(
                "the clock cannot stop under %(laws)s; "
                "it keeps running while you wait for the subject"
            ),
            laws=", ".join(jurisdictions_of(request)),
        )
    if request.paused_since is not None:
        raise RequestError(N_("the clock is already paused"))
    if not reason.strip():
        raise RequestError(N_("a pause needs a reason (e.g. awaiting the subject's clarification)"))
    rules = [law(j).rule_for(RequestKind(request.kind)) for j in jurisdictions_of(request)]
    citation = next((r.citation for r in rules if r is not None and r.pausable), "")
    row = RequestPause(
        request_id=request.id, reason=reason.strip(), citation=citation, started_at=utcnow()
    )
    session.add(row)
    request.paused_since = row.started_at
    record_event(session, request, actor, "paused", f"{reason.strip()} ({citation})")
    return row


def resume(
    session: Session, request: SubjectRequest, *, actor: str, register: Register | None
) -> None:
    if request.paused_since is None:
        raise RequestError(N_("the clock is not paused"))
    row = session.scalars(
        select(RequestPause).where(
            RequestPause.request_id == request.id, RequestPause.ended_at.is_(None)
        )
    ).first()
    ended = utcnow()
    if row is not None:
        row.ended_at = ended
    request.paused_days += max(0, (ended.date() - request.paused_since.date()).days)
    request.paused_since = None
    recompute(register, request)
    record_event(session, request, actor, "resumed", request.clock_rule)


def assign(session: Session, request: SubjectRequest, *, assignee: str | None, actor: str) -> None:
    request.assignee = (assignee or "").strip() or None
    record_event(session, request, actor, "assigned", request.assignee or Phrase(N_("unassigned")))


def change_subject_kind(
    session: Session, request: SubjectRequest, kind: str, *, register: Register | None, actor: str
) -> None:
    """Record that ``request`` is for subject kind ``kind`` (one the register declares): the
    subject chose the wrong one, or the register renamed the kind it was filed for. Refused
    on a closed request, and while an execution waits for approval or a run is open (they were
    planned for the kind they were asked with)."""
    from steward.datastores.runs import open_run

    if register is None:
        raise RequestError(N_("no register is loaded; load one before changing the subject kind"))
    if State(request.state) in CLOSED:
        raise RequestError(N_("the request is closed; its subject kind stays as it was"))
    if State(request.state) is State.AWAITING_APPROVAL or open_run(session, request.id):
        raise RequestError(
            N_(
                "an execution of this request is waiting for approval or running; refuse it or "
                "let it finish before changing the subject kind"
            )
        )
    if not kind.strip():  # no choice is not the register's default
        raise RequestError(N_("choose the subject kind this request is for"))
    chosen = _subject_kind(register, kind)
    before = request.subject_kind or register.default_subject()
    if chosen == before and request.subject_kind:
        return
    request.subject_kind = chosen
    changed = Phrase(N_("%(before)s → %(after)s"), before=before, after=chosen)
    record_event(session, request, actor, "subject-kind", changed)


def add_note(session: Session, request: SubjectRequest, *, note: str | Phrase, actor: str) -> None:
    """A note on the timeline: a person's text, or a ``Phrase`` framing it."""
    if not str(note).strip():
        raise RequestError(N_("the note is empty"))
    record_event(
        session, request, actor, "note", note if isinstance(note, Phrase) else note.strip()[:5000]
    )


def get(session: Session, reference_or_id: str | int) -> SubjectRequest:
    if isinstance(reference_or_id, int) or str(reference_or_id).isdigit():
        found = session.get(SubjectRequest, int(reference_or_id))
    else:
        found = session.scalars(
            select(SubjectRequest).where(SubjectRequest.reference == str(reference_or_id))
        ).first()
    if found is None:
        raise RequestError(N_("no request %(reference)s"), reference=reference_or_id)
    return found


def timeline(session: Session, request: SubjectRequest) -> list[RequestEvent]:
    return list(
        session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == request.id)
            .order_by(RequestEvent.id)
        )
    )


@dataclass(frozen=True)
class QueueRow:
    request: SubjectRequest
    days_left: int | None
    overdue: bool
    due_soon: bool


def queue(
    session: Session,
    *,
    today: date | None = None,
    overdue_only: bool = False,
    assignee: str | None = None,
    include_closed: bool = False,
) -> list[QueueRow]:
    """Requests sorted by days left (none-due last); duplicates are counted with their original."""
    today = today or utcnow().date()
    query = select(SubjectRequest).where(SubjectRequest.duplicate_of.is_(None))
    if not include_closed:
        query = query.where(SubjectRequest.state.in_([s.value for s in OPEN]))
    if assignee:
        query = query.where(SubjectRequest.assignee == assignee)
    rows = []
    for request in session.scalars(query):
        left = (request.due_on - today).days if request.due_on else None
        is_open = request.state not in {s.value for s in CLOSED}
        overdue = is_open and left is not None and left < 0
        if overdue_only and not overdue:
            continue
        soon = is_open and left is not None and 0 <= left <= DUE_SOON_DAYS
        rows.append(QueueRow(request, left, overdue, soon))
    rows.sort(key=lambda r: (r.days_left is None, r.days_left or 0, r.request.id))
    return rows


def send_reminders(
    session: Session,
    *,
    today: date | None = None,
    days_before: int = DUE_SOON_DAYS,
    dpos: list[str] | None = None,
) -> int:
    """E-mail each open request's assignee and the DPOs once a day when it is due within
    ``days_before`` days or overdue; returns how many requests were reminded about."""
    today = today or utcnow().date()
    sent = 0
    for row in queue(session, today=today):
        request = row.request
        left = row.days_left
        if left is None or left > days_before or request.reminded_on == today:
            continue
        recipients = dict.fromkeys(
            [*([request.assignee] if request.assignee else []), *(dpos or [])]
        )
        for to in recipients:
            emails.remind(session, request, to, left)
        if recipients:
            request.reminded_on = today
            sent_to = Phrase.ngettext("%(num)s reminder", "%(num)s reminders", len(recipients))
            record_event(session, request, "steward:scheduler", "reminded", sent_to)
            sent += 1
    return sent


def known_jurisdictions() -> list[str]:
    return list(LAWS)
