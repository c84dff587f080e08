"""Drafts of the notifications to Roskomnadzor under 152-FZ, built from the register.

    draft = intention_draft(register)     # Art. 22 p.3: notification of intention to process
    transfer = transfer_draft(register)   # Art. 12 p.4: cross-border transfer, or None
    changed_fields(old.fields, new.fields) -> ["purposes.2.categories", ...]

A draft is plain data (``fields``: JSON values only), so it is stored, compared with the one
filed before and rendered by the Russian templates (``templates/ru/``) without losing anything.
Values are codes or the register's own text; the templates put them into the words of
Roskomnadzor's form. A field the register cannot fill is listed in ``missing`` with what the
operator must add, never invented.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from steward.law.filings import FilingKind
from steward.notices.measures import security_measures
from steward.register.models import Purpose, Recipient, Register

# Actions with personal data (152-FZ Art. 3 p.3) that every purpose in a database performs.
BASE_ACTIONS = (
    "collection",
    "recording",
    "systematisation",
    "accumulation",
    "storage",
    "clarification",
    "retrieval",
    "use",
    "blocking",
    "deletion",
    "destruction",
)


@dataclass(frozen=True)
class Draft:
    kind: FilingKind
    operator_id: str
    fields: dict[str, Any]
    missing: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        text = json.dumps(self.fields, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _ru(
    localized: dict[str, str] | str | None, fallback: str, missing: list[str], what: str
) -> str:
    """The Russian text, else another language's, recording that a translation is missing."""
    if localized is None:
        return fallback
    if isinstance(localized, str):
        return localized
    if localized.get("ru"):
        return localized["ru"]
    missing.append(f"translation:{what}")
    return next(iter(localized.values()), fallback)


def _operator(register: Register, missing: list[str]) -> dict[str, Any]:
    op = register.operator
    reg = op.registration
    if reg is None or reg.ru_inn is None:
        missing.append("operator.inn")
    if reg is None or reg.ru_ogrn is None:
        missing.append("operator.ogrn")
    return {
        "legal_name": op.legal_name,
        "address": _ru(op.contacts.postal_address, "", missing, "operator.address"),
        "inn": reg.ru_inn if reg else None,
        "ogrn": reg.ru_ogrn if reg else None,
        "email": str(op.contacts.privacy_email),
        "phone": op.contacts.phone,
        "rkn_registry": reg.rkn_registry if reg else None,
    }


def _responsible(register: Register, missing: list[str]) -> dict[str, Any]:
    """Art. 22 p.3(7.1): who organises the processing; the register's DPO when declared."""
    dpo = register.operator.contacts.dpo
    if dpo is None or not dpo.name:
        missing.append("responsible.name")
    if dpo is None or not dpo.phone:
        missing.append("responsible.phone")
    return {
        "name": dpo.name if dpo else None,
        "phone": dpo.phone if dpo else None,
        "email": str(dpo.email) if dpo else None,
        "address": _ru(register.operator.contacts.postal_address, "", [], "address"),
    }


def _category(register: Register, category_id: str) -> dict[str, str]:
    category = register.all_categories.get(category_id)
    return {
        "id": category_id,
        "name": category.ru if category else category_id,
        "sensitivity": category.sensitivity.value if category else "ordinary",
    }


def _stores_of(register: Register, purpose: Purpose) -> list[str]:
    return [s.id for s in register.datastores if any(purpose.id in t.purposes for t in s.tables)]


def _actions(register: Register, purpose: Purpose) -> list[str]:
    actions = list(BASE_ACTIONS)
    if purpose.recipients:
        actions.insert(actions.index("blocking"), "transfer")
    anonymised = any(
        purpose.id in t.purposes
        and (t.on_erasure is not None and t.on_erasure.value == "anonymise")
        for s in register.datastores
        for t in s.tables
    )
    if anonymised:
        actions.insert(actions.index("blocking"), "depersonalisation")
    return actions


def _purpose(register: Register, purpose: Purpose, missing: list[str]) -> dict[str, Any]:
    subjects = {s.id: s for s in register.subjects}
    retention = purpose.retention
    return {
        "id": purpose.id,
        "name": _ru(purpose.names, purpose.id, missing, f"purposes.{purpose.id}.name"),
        "categories": [_category(register, c) for c in purpose.categories],
        "subjects": [
            _ru(subjects[s].names, s, missing, f"subjects.{s}.name") if s in subjects else s
            for s in purpose.subjects
        ],
        "basis": purpose.basis.value,
        "basis_reference": purpose.basis_reference,
        "special_basis": purpose.special_basis.value if purpose.special_basis else None,
        "actions": _actions(register, purpose),
        # With databases: automated; the register does not say whether paper is used too.
        "method": "automated" if _stores_of(register, purpose) else "unknown",
        "internet": bool(purpose.recipients),
        "retention": {"duration": str(retention.duration), "from": retention.from_.value}
        if retention
        else None,
    }


def _abroad(register: Register, recipient: Recipient) -> bool:
    return recipient.country != "RU"


def _databases(register: Register, missing: list[str]) -> list[dict[str, Any]]:
    """Art. 22 p.3(10.1): where the databases with citizens' data are (152-FZ Art. 18 p.5)."""
    if not register.datastores:
        missing.append("databases")
    found = []
    for store in register.datastores:
        found.append(
            {
                "id": store.id,
                "country": store.location,
                "description": _ru(store.descriptions, store.id, [], "datastore"),
            }
        )
    if register.datastores:
        missing.append("databases.address")  # the register knows the country, not the address
    return found


def intention_draft(register: Register) -> Draft:
    """The Art. 22 p.3 notification of ``register``, field by field of Roskomnadzor's form."""
    missing: list[str] = []
    abroad = [r for r in register.recipients if _abroad(register, r)]
    measures = security_measures(register, "ru")
    if not register.policy.security:
        missing.append("measures.declared")
    missing.extend(["measures.encryption", "security_level", "start_date"])
    fields: dict[str, Any] = {
        "operator": _operator(register, missing),
        "responsible": _responsible(register, missing),
        "purposes": [_purpose(register, p, missing) for p in register.purposes],
        "measures": measures,
        "cross_border": bool(abroad),
        "countries": sorted({r.country for r in abroad}),
        "databases": _databases(register, missing),
        "start_date": None,
        "termination": "purpose-achieved-or-retention-ended",
    }
    return Draft(FilingKind.INTENTION, register.operator.id, fields, sorted(set(missing)))


def transfer_draft(register: Register, intention_number: str | None = None) -> Draft | None:
    """The Art. 12 p.4 notification of the transfers abroad ``register`` declares, or None.

    ``intention_number``: the number of the filed Art. 22 notification (Art. 12 p.4(1)).
    """
    missing: list[str] = []
    abroad = {r.id: r for r in register.recipients if _abroad(register, r)}
    if not abroad:
        return None
    purposes = []
    for purpose in register.purposes:
        receivers = [abroad[r] for r in purpose.recipients if r in abroad]
        if not receivers:
            continue
        entry = _purpose(register, purpose, missing)
        entry["recipients"] = [
            {
                "name": _ru(r.names, r.name, [], "recipient"),
                "country": r.country,
                "role": r.role.value,
                "transfer_basis": r.transfer_basis.value if r.transfer_basis else None,
            }
            for r in receivers
        ]
        purposes.append(entry)
    missing.append("assessment_date")
    if intention_number is None:
        missing.append("intention.number")
    fields: dict[str, Any] = {
        "operator": _operator(register, missing),
        "responsible": _responsible(register, missing),
        "purposes": purposes,
        "countries": sorted({r.country for r in abroad.values()}),
        "assessment_date": None,
        "intention_number": intention_number,
    }
    return Draft(FilingKind.TRANSFER, register.operator.id, fields, sorted(set(missing)))


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for item in value:
            key = item.get("id") or item.get("name") or json.dumps(item, sort_keys=True)
            _flatten(item, f"{path}[{key}]", out)
    else:
        out[path] = value


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Each field whose value differs between two drafts: path, old value, new value.

    List items that are records are matched by their id (or name), so a purpose added in the
    middle shows as that purpose added, not as every later purpose changed.
    """
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _flatten(old, "", before)
    _flatten(new, "", after)
    return [
        {"field": key, "old": before.get(key), "new": after.get(key)}
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]


def under_152fz(register: Register) -> bool:
    """Roskomnadzor's notifications concern operators under 152-FZ only."""
    return any(j.value == "ru-152fz" for j in register.operator.jurisdictions)
