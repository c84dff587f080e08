"""The disclosure log: each time the operator hands a subject's data to a third party.

    key = settings.identifier_key()              # the consent ledger's identifier key
    record(session, register, key, recipient="service-providers",
           categories=["contact.email"], disclosed_on=date(2026, 11, 30),
           identifiers={"email": "anna@example.com"}, actor="api:backend")
    of_subject(session, key, {"email": "anna@example.com"})   # what a transfers answer lists

The recipient must be one the register declares and every category one it knows; the subject
is kept only as the keyed digests the consent ledger uses (``lib.signing.digest`` over
``"<kind>\\n<normalised value>"``), never in clear, so the log answers "whose?" only for
someone who already holds the identifier. Every record is audited (ids and counts only).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.ledger import audit
from steward.lib.i18n import N_
from steward.lib.identifiers import IdentifierError, clean_account, clean_email, clean_phone
from steward.lib.signing import identifier_digest
from steward.register import Register
from steward.requests.states import RequestError
from steward.store.tables import Base, UtcDateTime, utcnow

# identifier name (as requests and the ledger name them) -> the column of its digest
DIGEST_COLUMNS = {"email": "email_digest", "phone": "phone_digest", "account-id": "account_digest"}
MAX_LISTED = 1000


class Disclosure(Base):
    """One disclosure of one subject's data to a recipient of the register."""

    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(80), index=True)
    categories: Mapped[str] = mapped_column(Text)  # a JSON list of category ids
    purpose: Mapped[str | None] = mapped_column(String(80), nullable=True)
    disclosed_on: Mapped[date] = mapped_column(Date, index=True)
    email_digest: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    phone_digest: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    account_digest: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    reference: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(320))

    @property
    def category_ids(self) -> list[str]:
        return [str(c) for c in json.loads(self.categories)]

    @property
    def identifier_kinds(self) -> list[str]:
        return [name for name, column in DIGEST_COLUMNS.items() if getattr(self, column)]


class DisclosureError(RequestError):
    code = "invalid_disclosure"


def digests(
    key: bytes, identifiers: Mapping[str, str | None], region: str | None
) -> dict[str, str]:
    """Each identifier given (``email``, ``phone``, ``account-id``) cleaned, then digested.

    Raises ``DisclosureError`` for an unknown name or a value that is not an identifier.
    """
    cleaners = {
        "email": clean_email,
        "phone": lambda typed: clean_phone(typed, region),
        "account-id": clean_account,
    }
    out: dict[str, str] = {}
    for name, value in identifiers.items():
        if value is None or not str(value).strip():
            continue
        if name not in cleaners:
            raise DisclosureError(
                N_("'%(name)s' is not an identifier; use %(known)s"),
                name=name,
                known=", ".join(DIGEST_COLUMNS),
            )
        try:
            out[name] = identifier_digest(key, name, cleaners[name](str(value)))
        except IdentifierError as exc:
            raise DisclosureError(exc.text, **exc.params) from None
    return out


def record(
    session: Session,
    register: Register | None,
    key: bytes,
    *,
    recipient: str,
    categories: list[str],
    disclosed_on: date,
    identifiers: Mapping[str, str | None],
    actor: str,
    purpose: str | None = None,
    reference: str = "",
    ip: str | None = None,
    today: date | None = None,
) -> Disclosure:
    """Record one disclosure; raises ``DisclosureError`` (nothing stored) when the recipient,
    a category or the purpose is not the register's, the date is in the future, or no
    identifier is given."""
    if register is None:
        raise DisclosureError(N_("no register is loaded; set STEWARD_REGISTER_PATH"))
    known = [r.id for r in register.recipients]
    if recipient not in known:
        if not known:
            raise DisclosureError(
                N_(
                    "'%(recipient)s' is not a recipient of the register; its recipients: "
                    "none (declare them under recipients:)"
                ),
                recipient=recipient,
            )
        raise DisclosureError(
            N_("'%(recipient)s' is not a recipient of the register; its recipients: %(known)s"),
            recipient=recipient,
            known=", ".join(known),
        )
    chosen = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
    if not chosen:
        raise DisclosureError(N_("name the categories of data disclosed (e.g. contact.email)"))
    unknown = [c for c in chosen if c not in register.all_categories]
    if unknown:
        raise DisclosureError(
            N_(
                "'%(category)s' is not a data category of the register; "
                "use a category id such as contact.email or identity.name"
            ),
            category=unknown[0],
        )
    if purpose is not None and purpose not in {p.id for p in register.purposes}:
        raise DisclosureError(
            N_("'%(purpose)s' is not a purpose of the register; its purposes: %(known)s"),
            purpose=purpose,
            known=", ".join(p.id for p in register.purposes),
        )
    if disclosed_on > (today or utcnow().date()):
        raise DisclosureError(
            N_("the disclosure date %(day)s is in the future; record a disclosure once it is made"),
            day=disclosed_on.isoformat(),
        )
    if len(reference) > 500:
        raise DisclosureError(N_("the reference is longer than 500 characters; shorten it"))
    hashed = digests(key, identifiers, register.operator.country)
    if not hashed:
        raise DisclosureError(
            N_("give the subject's identifier: an e-mail, a telephone or an account id")
        )
    row = Disclosure(
        recipient=recipient,
        categories=json.dumps(chosen),
        purpose=purpose,
        disclosed_on=disclosed_on,
        reference=reference.strip(),
        recorded_at=utcnow(),
        recorded_by=actor,
        **{DIGEST_COLUMNS[name]: value for name, value in hashed.items()},
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="disclosure.record",
        object_type="disclosure",
        object_id=row.id,
        ip=ip,
        details={"recipient": recipient, "categories": len(chosen), "identifiers": len(hashed)},
    )
    return row


def listing(
    session: Session,
    *,
    recipient: str | None = None,
    since: date | None = None,
    until: date | None = None,
    subject: Mapping[str, str] | None = None,
    limit: int | None = 100,
) -> list[Disclosure]:
    """Disclosures, newest first; ``subject`` is ``{name: digest}`` (any of them matches);
    ``limit`` at most ``MAX_LISTED``, None for all."""
    query = select(Disclosure)
    if recipient:
        query = query.where(Disclosure.recipient == recipient)
    if since:
        query = query.where(Disclosure.disclosed_on >= since)
    if until:
        query = query.where(Disclosure.disclosed_on <= until)
    if subject is not None:
        if not subject:
            return []
        query = query.where(
            or_(
                *(
                    getattr(Disclosure, DIGEST_COLUMNS[name]) == value
                    for name, value in subject.items()
                )
            )
        )
    query = query.order_by(Disclosure.disclosed_on.desc(), Disclosure.id.desc())
    if limit is not None:
        query = query.limit(max(1, min(limit, MAX_LISTED)))
    return list(session.scalars(query))


def of_subject(session: Session, key: bytes, identifiers: Mapping[str, str]) -> list[Disclosure]:
    """Every disclosure recorded for any of ``identifiers`` (already canonical, as a request
    stores them: ``{"email": ..., "account-id": ...}``), oldest first."""
    subject = {
        name: identifier_digest(key, name, value)
        for name, value in identifiers.items()
        if name in DIGEST_COLUMNS and value
    }
    found = listing(session, subject=subject, limit=None)
    return sorted(found, key=lambda d: (d.disclosed_on, d.id))
