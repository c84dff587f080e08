"""The GDPR Art. 30 record of processing activities, built from the register.

    record = build_record(register)
    record.controller          # one row per purpose: the columns of Art. 30(1)
    record.processors          # per processor the operator engages: the rows of Art. 30(2)

Nothing is typed by hand: each cell is a declaration of the register (purposes, subjects,
categories, recipients and their countries, retention, security measures). A cell the register
cannot fill says so ("not declared in the register") rather than staying blank, so a reviewer
sees what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from steward.notices import phrases
from steward.notices.measures import security_measures
from steward.register.countries import country_name
from steward.register.models import Purpose, Recipient, Register
from steward.register.taxonomy import RecipientRole

NOT_DECLARED = "not declared in the register"

# Art. 30(1): the record a controller keeps. Column key, heading (with the point it answers).
CONTROLLER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("controller", "Name and contact details of the controller and the DPO (Art. 30(1)(a))"),
    ("purpose", "Purposes of the processing (Art. 30(1)(b))"),
    ("legal_basis", "Legal basis (Art. 6, 9)"),
    ("subjects", "Categories of data subjects (Art. 30(1)(c))"),
    ("categories", "Categories of personal data (Art. 30(1)(c))"),
    ("recipients", "Categories of recipients, including in third countries (Art. 30(1)(d))"),
    ("transfers", "Transfers to a third country and their safeguards (Art. 30(1)(e))"),
    ("erasure", "Time limits for erasure (Art. 30(1)(f))"),
    ("security", "Technical and organisational security measures (Art. 30(1)(g), 32(1))"),
)

# Art. 30(2): the record a processor keeps for the processing it carries out on our behalf.
PROCESSOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("processor", "Name and contact details of the processor (Art. 30(2)(a))"),
    ("controller", "Controller on whose behalf it acts, and its DPO (Art. 30(2)(a))"),
    (
        "processing",
        "Categories of processing carried out on behalf of the controller (Art. 30(2)(b))",
    ),
    ("transfers", "Transfers to a third country and their safeguards (Art. 30(2)(c))"),
    ("security", "Technical and organisational security measures (Art. 30(2)(d), 32(1))"),
)


@dataclass(frozen=True)
class Record:
    operator_id: str
    operator: str
    controller: list[dict[str, str]] = field(default_factory=list)
    processors: list[dict[str, str]] = field(default_factory=list)


def _en(localized: dict[str, str] | str | None, fallback: str) -> str:
    if localized is None:
        return fallback
    if isinstance(localized, str):
        return localized
    return localized.get("en") or next(iter(localized.values()), fallback)


def controller_contacts(register: Register) -> str:
    op = register.operator
    contacts = op.contacts
    parts = [
        op.legal_name,
        _en(contacts.postal_address, ""),
        str(contacts.privacy_email),
    ]
    if contacts.phone:
        parts.append(contacts.phone)
    dpo = contacts.dpo
    parts.append(
        f"DPO: {dpo.name + ', ' if dpo.name else ''}{dpo.email}" if dpo else "DPO: " + NOT_DECLARED
    )
    return "; ".join(p for p in parts if p)


def _abroad(register: Register, recipient: Recipient) -> bool:
    return recipient.country != register.operator.country


def _transfer(register: Register, recipient: Recipient) -> str:
    basis = recipient.transfer_basis
    safeguard = phrases.TRANSFER_BASIS["en"][basis] if basis else "safeguard " + NOT_DECLARED
    return f"{recipient.name}: {country_name(recipient.country, 'en')} ({safeguard})"


def _recipient_line(recipient: Recipient) -> str:
    role = phrases.ROLE["en"][recipient.role]
    return f"{recipient.name} ({role}, {country_name(recipient.country, 'en')})"


def _erasure(register: Register, purpose: Purpose) -> str:
    retention = purpose.retention
    text = phrases.retention_phrase(
        retention.duration if retention else None, retention.from_ if retention else None, "en"
    )
    tables = [
        f"{store.id}.{table.qualified_name}: {table.retention.duration} from "
        f"{table.retention.column}, then {table.retention.action.value}"
        for store in register.datastores
        for table in store.tables
        if table.retention is not None and purpose.id in table.purposes
    ]
    return text + (f" (tables: {'; '.join(tables)})" if tables else "")


def _basis(purpose: Purpose) -> str:
    text = purpose.basis.value
    if purpose.special_basis is not None:
        text += f"; special categories: {purpose.special_basis.value}"
    if purpose.basis_reference:
        text += f" ({purpose.basis_reference})"
    return text


def _categories(register: Register, ids: list[str]) -> str:
    return "; ".join(
        register.all_categories[c].en if c in register.all_categories else c for c in ids
    )


def build_record(register: Register) -> Record:
    """The controller and processor views of the Art. 30 record of ``register``."""
    subjects = {s.id: _en(s.names, s.id) for s in register.subjects}
    security = "; ".join(security_measures(register, "en"))
    contacts = controller_contacts(register)
    record = Record(register.operator.id, register.operator.legal_name)
    for purpose in register.purposes:
        recipients = [register.recipient(r) for r in purpose.recipients]
        abroad = [r for r in recipients if _abroad(register, r)]
        record.controller.append(
            {
                "controller": contacts,
                "purpose": f"{_en(purpose.names, purpose.id)}: {_en(purpose.descriptions, '')}",
                "legal_basis": _basis(purpose),
                "subjects": "; ".join(subjects.get(s, s) for s in purpose.subjects),
                "categories": _categories(register, purpose.categories),
                "recipients": "; ".join(_recipient_line(r) for r in recipients) or "none",
                "transfers": "; ".join(_transfer(register, r) for r in abroad) or "none",
                "erasure": _erasure(register, purpose),
                "security": security,
            }
        )
    for recipient in register.recipients:
        if recipient.role is not RecipientRole.PROCESSOR:
            continue
        purposes = [p for p in register.purposes if recipient.id in p.recipients]
        processing = "; ".join(
            f"{_en(p.names, p.id)} ({_categories(register, p.categories)})" for p in purposes
        )
        record.processors.append(
            {
                "processor": f"{recipient.name} ({country_name(recipient.country, 'en')})",
                "controller": contacts,
                "processing": processing or "no purpose of the register names this processor",
                "transfers": _transfer(register, recipient)
                if _abroad(register, recipient)
                else "none",
                "security": "the processor's own measures are " + NOT_DECLARED,
            }
        )
    return record
