"""Publishing: store an immutable notice version and announce material changes.

    result = publish(session, register_text, source="register.yaml", actor="dpo@example.com",
                     base_url="https://privacy.example.com")
    result.version.number, result.changes, result.material, result.announced

One call, one transaction (the caller's): the register is validated, compared with the latest
published version (an unchanged register publishes nothing), the notice is rendered in every
language the operator publishes and Steward has templates for, the version and its documents
are stored, the publication is audited, and for a material change an announcement is queued in
the outbox for every account holder (see ``audience.py``) when the register's
``policy.changes.notify`` names e-mail and consents to the affected
consent-based purposes are marked for re-confirmation (see ``reconfirm.py``). Account holders
are read before anything is written, so a datastore that cannot be read publishes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.ledger import audit
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.notices import phrases
from steward.notices.audience import AccountHolder, account_holders
from steward.notices.change import Change
from steward.notices.content import build_notice
from steward.notices.diff import describe, diff_registers
from steward.notices.reconfirm import mark_consents_for_reconfirmation
from steward.notices.render import FORMATS, environment, render
from steward.notices.tables import NoticeDocument, NoticeVersion
from steward.notify import outbox
from steward.register import RegisterError, check_bytes
from steward.register.models import Register
from steward.register.taxonomy import ChangeEffect, LegalBasis
from steward.store.tables import utcnow

Audience = Callable[[Register], list[AccountHolder]]
SUBJECT = N_("{operator}: we have updated our privacy notice")


@dataclass
class PublishResult:
    version: NoticeVersion
    created: bool
    changes: list[Change] = field(default_factory=list)
    announced: int = 0
    reconfirm_purposes: list[str] = field(default_factory=list)
    reconfirm_marked: bool = False

    @property
    def material(self) -> bool:
        return any(c.material for c in self.changes)


def parse_register(text: str, source: str) -> Register:
    """Validate register text; raises ``RegisterError`` listing every error."""
    result = check_bytes(text.encode("utf-8"), source)
    if result.register is None or result.errors:
        raise RegisterError(result.errors)
    return result.register


def latest_version(session: Session, operator_id: str | None = None) -> NoticeVersion | None:
    query = select(NoticeVersion).order_by(NoticeVersion.id.desc()).limit(1)
    if operator_id is not None:
        query = query.where(NoticeVersion.operator_id == operator_id)
    return session.scalars(query).first()


def version_in_force(
    session: Session, operator_id: str | None = None, now: datetime | None = None
) -> NoticeVersion | None:
    """The newest version that applies at ``now``: an announced version waiting out its notice
    period (``effective: after-notice``) is not yet in force; the one before it is."""
    moment = now or utcnow()
    for version in _newest_first(session, operator_id):
        if version.applies_from <= moment:
            return version
    return None


def upcoming_version(
    session: Session, operator_id: str | None = None, now: datetime | None = None
) -> NoticeVersion | None:
    """The newest published version that does not apply yet, if any."""
    moment = now or utcnow()
    for version in _newest_first(session, operator_id):
        return version if version.applies_from > moment else None
    return None


def _newest_first(session: Session, operator_id: str | None) -> list[NoticeVersion]:
    query = select(NoticeVersion).order_by(NoticeVersion.id.desc()).limit(20)
    if operator_id is not None:
        query = query.where(NoticeVersion.operator_id == operator_id)
    return list(session.scalars(query))


def _effective_at(register: Register, material: bool, now: datetime) -> datetime:
    """'after-notice': a material change applies once its notice period has run."""
    changes = register.policy.changes
    if not material or changes is None or changes.notice_period is None:
        return now
    if changes.effective is not ChangeEffect.AFTER_NOTICE:
        return now
    return changes.notice_period.after(now)


def version_by_number(session: Session, operator_id: str, number: int) -> NoticeVersion | None:
    return session.scalars(
        select(NoticeVersion).where(
            NoticeVersion.operator_id == operator_id, NoticeVersion.number == number
        )
    ).first()


def versions(session: Session, operator_id: str) -> list[NoticeVersion]:
    """Every published version of the operator, newest first."""
    return list(
        session.scalars(
            select(NoticeVersion)
            .where(NoticeVersion.operator_id == operator_id)
            .order_by(NoticeVersion.number.desc())
        )
    )


def document(session: Session, version: NoticeVersion, lang: str, fmt: str) -> str | None:
    return session.scalars(
        select(NoticeDocument.content).where(
            NoticeDocument.version_id == version.id,
            NoticeDocument.lang == lang,
            NoticeDocument.format == fmt,
        )
    ).first()


def version_languages(session: Session, version: NoticeVersion) -> list[str]:
    return sorted(
        set(
            session.scalars(
                select(NoticeDocument.lang).where(NoticeDocument.version_id == version.id)
            )
        )
    )


def stored_changes(version: NoticeVersion) -> list[Change]:
    return [Change.from_json(c) for c in json.loads(version.changes)]


def notice_languages(register: Register) -> list[str]:
    """The operator's notice languages that Steward has templates for (English at least)."""
    found = [lang for lang in register.operator.languages if lang in phrases.LANGUAGES]
    return found or ["en"]


def _plain(line: str, lang: str) -> str:
    """A described change for a plain-text letter: *name* becomes a quoted name."""
    return re.sub(r"\*([^*]+)\*", r"«\1»" if lang == "ru" else r"“\1”", line)


def announces_by_email(register: Register) -> bool:
    """The register promises to announce material changes by e-mail (``policy.changes.notify``);
    without that promise Steward sends no announcement, and the notice promises none."""
    changes = register.policy.changes
    return changes is not None and any(c.value in ("email", "any") for c in changes.notify)


def _reconfirm_purposes(changes: list[Change], register: Register) -> list[str]:
    consent_ids = {p.id for p in register.purposes if p.basis is LegalBasis.CONSENT}
    return sorted({c.ref for c in changes if c.material and c.ref in consent_ids})


def publish(
    session: Session,
    register_text: str,
    *,
    source: str,
    actor: str,
    base_url: str,
    audience: Audience = account_holders,
    now: datetime | None = None,
    sweeps_running: bool = False,
) -> PublishResult:
    """Publish the notice of ``register_text``; see the module docstring for every step.

    ``sweeps_running``: Steward's retention sweeps run for this operator (the caller asks
    ``retention.service.sweeps_running``), so the notice may say storage periods are enforced.
    """
    register = parse_register(register_text, source)
    operator_id = register.operator.id
    previous = latest_version(session, operator_id)
    if previous is not None:
        old = parse_register(previous.register_text, previous.register_source)
        if old == register:
            return PublishResult(previous, created=False)
        changes = diff_registers(old, register)
    else:
        changes = []
    material = any(c.material for c in changes)
    holders = audience(register) if material and announces_by_email(register) else []

    now = now or utcnow()
    number = previous.number + 1 if previous else 1
    base = base_url.rstrip("/")
    documents: list[NoticeDocument] = []
    for lang in notice_languages(register):
        notice = build_notice(
            register,
            lang,
            version=str(number),
            published=now.date(),
            base_url=base,
            sweeps_running=sweeps_running,
        )
        for fmt in FORMATS:
            content = render(notice, fmt)
            digest = hashlib.sha256(content.encode()).hexdigest()
            documents.append(NoticeDocument(lang=lang, format=fmt, sha256=digest, content=content))
    content_hash = hashlib.sha256(
        "".join(f"{d.lang}/{d.format}:{d.sha256}\n" for d in documents).encode()
    ).hexdigest()
    version = NoticeVersion(
        operator_id=operator_id,
        number=number,
        published_at=now,
        published_by=actor,
        content_sha256=content_hash,
        register_sha256=hashlib.sha256(register_text.encode()).hexdigest(),
        register_source=source[:1000],
        register_text=register_text,
        changes=json.dumps([c.to_json() for c in changes], ensure_ascii=False, sort_keys=True),
        material=material,
        announced=len(holders),
        effective_at=_effective_at(register, material, now),
    )
    session.add(version)
    session.flush()
    for doc in documents:
        doc.version_id = version.id
        session.add(doc)

    result = PublishResult(version, created=True, changes=changes, announced=len(holders))
    if material:
        result.reconfirm_purposes = _reconfirm_purposes(changes, register)
        result.reconfirm_marked = mark_consents_for_reconfirmation(
            session, result.reconfirm_purposes, str(number)
        )
        _announce(session, register, version, changes, holders, base, result.reconfirm_marked)
    audit.record(
        session,
        actor=actor,
        action="notice.publish",
        object_type="notice_version",
        object_id=str(number),
        details={
            "operator": operator_id,
            "content_sha256": content_hash,
            "material": material,
            "changes": [c.kind for c in changes],
            "announced": len(holders),
            "reconfirm": result.reconfirm_purposes,
        },
    )
    session.flush()
    return result


def _announce(
    session: Session,
    register: Register,
    version: NoticeVersion,
    changes: list[Change],
    holders: list[AccountHolder],
    base: str,
    reconfirm: bool,
) -> None:
    bodies: dict[str, tuple[str, str]] = {}
    for holder in holders:
        lang = holder.lang if holder.lang in phrases.LANGUAGES else "en"
        if lang not in bodies:
            operator = register.operator.names.get(lang) or register.operator.legal_name
            text = (
                environment()
                .get_template(f"{lang}/announcement.txt.j2")
                .render(
                    operator=operator,
                    number=version.number,
                    date=phrases.long_date(version.published_at.date(), lang),
                    applies=phrases.long_date(version.applies_from.date(), lang)
                    if version.applies_from > version.published_at
                    else None,
                    changes=[_plain(describe(c, lang), lang) for c in changes],
                    reconfirm=reconfirm,
                    notice_url=f"{base}/privacy/notice/versions/{version.number}?lang={lang}"
                    if version.applies_from > version.published_at
                    else f"{base}/privacy/notice?lang={lang}",
                    versions_url=f"{base}/privacy/notice/versions?lang={lang}",
                    email=register.operator.contacts.privacy_email,
                )
            )
            subject = i18n.translator(lang).gettext(SUBJECT).format(operator=operator)
            bodies[lang] = (subject, text)
        subject, text = bodies[lang]
        outbox.queue(
            session,
            to=holder.email,
            subject=subject,
            text=text,
            kind="notice.announcement",
            lang=lang,
            related=f"notice:{version.number}",
        )
