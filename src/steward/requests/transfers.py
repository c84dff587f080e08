"""The answer to a request for information about transfers: the register's recipients and the
disclosures really recorded for the request's proven identifiers, nothing else.

    found = answer(session, register, key, {"email": "anna@example.com"})
    found.document()      # the JSON the subject downloads
    found.text("ru")      # the lines of the completion e-mail
    found.describe()      # the staff's line on the timeline (counts only)

``fulfil`` calls it when the request is executed; the words come from the register and the
log, so the answer cannot name a recipient or a disclosure that is not there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from steward.lib import i18n
from steward.lib.i18n import N_
from steward.register import Register
from steward.requests.disclosures import of_subject
from steward.requests.verification import LABELS

WORDS: dict[str, str] = {
    "recipients": N_("Recipients of personal data that our register declares:"),
    "recipient": N_("- {name} ({role}, {country}){basis}{purposes}"),
    "for": N_("; for: {purposes}"),
    "basis": N_("; transfer basis: {basis}"),
    "no_recipients": N_("Our register declares no recipients of personal data."),
    "disclosures": N_("Disclosures of your data that we recorded:"),
    "disclosure": N_("- {on}: to {name}: {categories}{purpose}"),
    "purpose": N_(" (purpose: {purpose})"),
    "no_disclosures": N_("We recorded no disclosure of your data to a third party."),
    "searched": N_("Searched for: {identifiers}."),
}
"""The e-mail's lines, English here, each other language from the catalogue (``lib/i18n``)."""


def _name(names: Mapping[str, str] | None, fallback: str, lang: str) -> str:
    """The name in ``lang`` from a register's ``names``, else in English, else ``fallback``."""
    by_lang = {str(k): v for k, v in (names or {}).items()}
    return by_lang.get(lang) or by_lang.get("en") or fallback


@dataclass(frozen=True)
class TransfersAnswer:
    lang: str
    recipients: list[dict[str, Any]]
    disclosures: list[dict[str, Any]]
    searched: list[str]

    def document(self) -> bytes:
        return json.dumps(
            {
                "recipients": self.recipients,
                "disclosures": self.disclosures,
                "searched_identifiers": self.searched,
            },
            ensure_ascii=False,
            indent=2,
        ).encode()

    def describe(self) -> str:
        return str(self.phrase())

    def phrase(self) -> i18n.Phrase:
        """The timeline's line, said in each reader's language."""
        return i18n.Phrase(
            N_(
                "information: %(recipients)s recipient(s) in the register, %(disclosures)s "
                "disclosure(s) recorded for the proven identifiers (%(searched)s)"
            ),
            recipients=len(self.recipients),
            disclosures=len(self.disclosures),
            searched=", ".join(self.searched),
        )

    def text(self, lang: str) -> str:
        words = i18n.words(WORDS, lang)
        lines = [words["recipients"] if self.recipients else words["no_recipients"]]
        for r in self.recipients:
            purposes = ", ".join(str(p["name"]) for p in r["purposes"])
            lines.append(
                words["recipient"].format(
                    name=r["name"],
                    role=r["role"],
                    country=r["country"],
                    basis=words["basis"].format(basis=r["transfer_basis"])
                    if r["transfer_basis"]
                    else "",
                    purposes=words["for"].format(purposes=purposes) if purposes else "",
                )
            )
        lines.append(words["disclosures"] if self.disclosures else words["no_disclosures"])
        for d in self.disclosures:
            lines.append(
                words["disclosure"].format(
                    on=d["disclosed_on"],
                    name=d["recipient_name"],
                    categories=", ".join(str(c["name"]) for c in d["categories"]),
                    purpose=words["purpose"].format(purpose=d["purpose_name"])
                    if d["purpose_name"]
                    else "",
                )
            )
        labels = i18n.words(LABELS, lang)
        searched = ", ".join(labels.get(name, name) for name in self.searched)
        lines.append(words["searched"].format(identifiers=searched))
        return "\n".join(lines)


def answer(
    session: Session,
    register: Register,
    key: bytes,
    identifiers: Mapping[str, str],
    lang: str = "en",
    subject: str | None = None,
) -> TransfersAnswer:
    """The register's recipients (each with the purposes that send it data) and every
    disclosure recorded for ``identifiers`` (the request's proven ones, canonical).

    ``subject``: the request's subject kind; a recipient only other kinds' purposes send data
    to is not the subject's (an employee is not told of the courier of customers' orders). A
    recipient no purpose sends data to is named to every kind: nothing says whose data it has."""
    lang = lang if lang in i18n.LANGUAGES else i18n.LANGUAGES[0]
    purposes = {p.id: p for p in register.purposes}
    recipients: list[dict[str, Any]] = []
    for r in register.recipients:
        sending = [p for p in register.purposes if r.id in p.recipients]
        if subject is not None and sending:
            sending = [p for p in sending if subject in p.subjects]
            if not sending:
                continue
        recipients.append(
            {
                "id": r.id,
                "name": _name(r.names, r.name, lang),
                "role": str(r.role),
                "country": str(r.country),
                "transfer_basis": str(r.transfer_basis) if r.transfer_basis else None,
                "purposes": [{"id": p.id, "name": _name(p.names, p.id, lang)} for p in sending],
            }
        )
    by_id = {r["id"]: r for r in recipients}
    disclosures: list[dict[str, Any]] = []
    for d in of_subject(session, key, identifiers):
        purpose = purposes.get(d.purpose) if d.purpose else None
        categories = []
        for c in d.category_ids:
            category = register.all_categories.get(c)
            label = (getattr(category, lang, "") or category.en) if category else c
            categories.append({"id": c, "name": label})
        disclosures.append(
            {
                "disclosed_on": d.disclosed_on.isoformat(),
                "recipient": d.recipient,
                # a recipient removed from the register since keeps its id, never a made-up name
                "recipient_name": by_id[d.recipient]["name"]
                if d.recipient in by_id
                else d.recipient,
                "categories": categories,
                "purpose": d.purpose,
                "purpose_name": _name(purpose.names, purpose.id, lang) if purpose else None,
            }
        )
    return TransfersAnswer(lang, recipients, disclosures, sorted(identifiers))
