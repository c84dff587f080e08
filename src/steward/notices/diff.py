"""What changed between two registers, in words, and which changes are material.

    changes = diff_registers(old, new)
    [describe(c, "en") for c in changes]
    -> ["purpose *Marketing* added", "retention for *Call-centre quality* shortened from
        6 months to 3 months"]
    any(c.material for c in changes)

Material changes are those a subject must be told about before they apply: a new purpose, a new
category of data for a purpose, a new subject kind for a purpose, a new recipient or a new
transfer abroad (a recipient, a datastore or a third-party tracker in another country), a longer
retention (or one that is dropped, which makes it open-ended), a basis changed to consent, and a
purpose that starts making solely automated decisions. Everything else (wording, contacts,
shorter retention, removals) is published as a new version without an announcement.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from steward.lib import i18n
from steward.lib.i18n import N_
from steward.notices import phrases
from steward.notices.change import Change, Names
from steward.notices.plural import count_phrase, duration_phrase
from steward.notices.policy_diff import policy_changes
from steward.register.countries import country_name
from steward.register.duration import Duration
from steward.register.models import Purpose, Register
from steward.register.taxonomy import LegalBasis, Party, RetentionStart


def _names(localized: dict[str, str] | None, fallback: str) -> Names:
    base = dict(localized or {})
    return {lang: base.get(lang) or base.get("en") or fallback for lang in phrases.LANGUAGES}


def _category_names(register: Register, category_id: str) -> Names:
    return {lang: register.category_name(category_id, lang) for lang in phrases.LANGUAGES}


def _longer(old: Duration, new: Duration) -> bool:
    return new.approximate_days() > old.approximate_days()


def _purpose_changes(
    old: Purpose, new: Purpose, old_reg: Register, new_reg: Register
) -> list[Change]:
    name = _names(new.names, new.id)
    out: list[Change] = []
    if old.names != new.names:
        out.append(Change("purpose-renamed", False, name, _names(old.names, old.id), name))
    if old.descriptions != new.descriptions:
        out.append(Change("purpose-description-edited", False, name))
    if old.basis != new.basis:
        out.append(
            Change(
                "purpose-basis-changed",
                new.basis is LegalBasis.CONSENT,
                name,
                old.basis.value,
                new.basis.value,
            )
        )
    for category in new.categories:
        if category not in old.categories:
            detail = _category_names(new_reg, category)
            out.append(Change("purpose-category-added", True, name, detail=detail))
    for category in old.categories:
        if category not in new.categories:
            detail = _category_names(old_reg, category)
            out.append(Change("purpose-category-removed", False, name, detail=detail))
    for subject in new.subjects:
        if subject not in old.subjects:
            found = next((s for s in new_reg.subjects if s.id == subject), None)
            detail = _names(found.names if found else None, subject)
            out.append(Change("purpose-subject-added", True, name, detail=detail))
    out.extend(_retention_changes(old, new, name))
    for recipient_id in new.recipients:
        if recipient_id not in old.recipients:
            detail = _recipient_names(new_reg, recipient_id)
            out.append(Change("purpose-recipient-added", True, name, detail=detail))
    for recipient_id in old.recipients:
        if recipient_id not in new.recipients:
            detail = _recipient_names(old_reg, recipient_id)
            out.append(Change("purpose-recipient-removed", False, name, detail=detail))
    if new.automated_decision and not old.automated_decision:
        out.append(Change("purpose-automated-added", True, name))
    if old.automated_decision and not new.automated_decision:
        out.append(Change("purpose-automated-removed", False, name))
    return out


def _retention_changes(old: Purpose, new: Purpose, name: Names) -> list[Change]:
    before, after = old.retention, new.retention
    if before is None and after is None:
        return []
    if before is None and after is not None:
        return [Change("purpose-retention-set", False, name, None, str(after.duration))]
    if after is None and before is not None:
        return [Change("purpose-retention-dropped", True, name, str(before.duration), None)]
    assert before is not None and after is not None
    out = []
    if before.duration != after.duration:
        longer = _longer(before.duration, after.duration)
        kind = "purpose-retention-longer" if longer else "purpose-retention-shorter"
        out.append(Change(kind, longer, name, str(before.duration), str(after.duration)))
    if before.from_ != after.from_:
        # Counting from a later event (contract end, last activity) keeps data longer.
        out.append(
            Change("purpose-retention-start", True, name, before.from_.value, after.from_.value)
        )
    return out


def _recipient_names(register: Register, recipient_id: str) -> Names:
    found = next((r for r in register.recipients if r.id == recipient_id), None)
    return _names(found.names if found else None, found.name if found else recipient_id)


def _table_retention(register: Register) -> dict[str, tuple[Duration, Names]]:
    """Per table with a retention rule: its duration and a label made of the data it holds.

    The label names the categories of the columns that do not identify the subject
    (a call_recordings table is "Call recordings", not "Telephone number").
    """
    found = {}
    for store in register.datastores:
        for table in store.tables:
            if table.retention is None:
                continue
            columns = [c for c in table.columns if c not in table.identity] or list(table.columns)
            labels: list[Names] = []
            for column in columns:
                names = _category_names(register, table.columns[column].category)
                if names not in labels:
                    labels.append(names)
            label = (
                {lang: ", ".join(n[lang] for n in labels) for lang in phrases.LANGUAGES}
                if labels
                else dict.fromkeys(phrases.LANGUAGES, table.name)
            )
            found[f"{store.id}/{table.qualified_name}"] = (table.retention.duration, label)
    return found


def _locations(register: Register) -> dict[str, str]:
    return {s.id: s.location for s in register.datastores}


def diff_registers(old: Register, new: Register) -> list[Change]:
    """Every change from ``old`` to ``new`` that a reader of the notice would care about."""
    out: list[Change] = []
    home = new.operator.country
    old_purposes = {p.id: p for p in old.purposes}
    new_purposes = {p.id: p for p in new.purposes}
    for pid, purpose in new_purposes.items():
        if pid not in old_purposes:
            out.append(Change("purpose-added", True, _names(purpose.names, pid), ref=pid))
        else:
            found = _purpose_changes(old_purposes[pid], purpose, old, new)
            out.extend(replace(c, ref=pid) for c in found)
    for pid, purpose in old_purposes.items():
        if pid not in new_purposes:
            out.append(Change("purpose-removed", False, _names(purpose.names, pid), ref=pid))

    old_recipients = {r.id: r for r in old.recipients}
    for recipient in new.recipients:
        name = _names(recipient.names, recipient.name)
        before = old_recipients.get(recipient.id)
        if before is None:
            out.append(Change("recipient-added", True, name, None, recipient.country))
            continue
        if before.country != recipient.country:
            abroad = recipient.country != home
            out.append(Change("recipient-country", abroad, name, before.country, recipient.country))
        if before.transfer_basis != recipient.transfer_basis:
            out.append(Change("recipient-transfer-basis", False, name))
        if (before.names, before.name, before.descriptions, before.role) != (
            recipient.names,
            recipient.name,
            recipient.descriptions,
            recipient.role,
        ):
            out.append(Change("recipient-edited", False, name))
    for rid, recipient in old_recipients.items():
        if rid not in {r.id for r in new.recipients}:
            out.append(Change("recipient-removed", False, _names(recipient.names, recipient.name)))

    old_tables, new_tables = _table_retention(old), _table_retention(new)
    for key, (duration, label) in new_tables.items():
        if key in old_tables and old_tables[key][0] != duration:
            longer = _longer(old_tables[key][0], duration)
            kind = "table-retention-longer" if longer else "table-retention-shorter"
            out.append(Change(kind, longer, label, str(old_tables[key][0]), str(duration)))
        elif key not in old_tables:
            out.append(Change("table-retention-set", False, label, None, str(duration)))
    for key, (duration, label) in old_tables.items():
        if key not in new_tables:
            out.append(Change("table-retention-dropped", True, label, str(duration), None))

    old_places = _locations(old)
    for store_id, country in _locations(new).items():
        before_country = old_places.get(store_id)
        if before_country != country and (before_country is not None or country != home):
            abroad = country != home
            name = dict.fromkeys(phrases.LANGUAGES, store_id)
            out.append(Change("datastore-location", abroad, name, before_country, country))

    old_cookies = {c.name: c for c in old.cookies}
    for cookie in new.cookies:
        name = dict.fromkeys(phrases.LANGUAGES, cookie.name)
        if cookie.name not in old_cookies:
            out.append(Change("cookie-added", cookie.party is Party.THIRD, name, None, None))
        elif old_cookies[cookie.name] != cookie:
            out.append(Change("cookie-edited", False, name))
    for cookie_name in old_cookies:
        if cookie_name not in {c.name for c in new.cookies}:
            name = dict.fromkeys(phrases.LANGUAGES, cookie_name)
            out.append(Change("cookie-removed", False, name))

    if old.operator != new.operator:
        out.append(Change("operator-edited", False, _names(new.operator.names, "")))
    if old.consents.age != new.consents.age:
        out.append(Change("age-rules-edited", False, {}))
    out.extend(policy_changes(old, new))
    if not out and old != new:
        out.append(Change("wording-edited", False, {}))
    return out


_EN = {
    "purpose-added": N_("purpose *{name}* added"),
    "purpose-removed": N_("purpose *{name}* removed"),
    "purpose-renamed": N_("purpose *{old}* renamed to *{new}*"),
    "purpose-description-edited": N_("description of purpose *{name}* edited"),
    "purpose-basis-changed": N_("legal basis of *{name}* changed from {old} to {new}"),
    "purpose-category-added": N_("*{detail}* now processed for *{name}*"),
    "purpose-category-removed": N_("*{detail}* no longer processed for *{name}*"),
    "purpose-subject-added": N_("purpose *{name}* now covers *{detail}*"),
    "purpose-retention-set": N_("retention for *{name}* set to {new}"),
    "purpose-retention-dropped": N_("fixed retention of {old} for *{name}* removed"),
    "purpose-retention-longer": N_("retention for *{name}* extended from {old} to {new}"),
    "purpose-retention-shorter": N_("retention for *{name}* shortened from {old} to {new}"),
    "purpose-retention-start": N_("retention for *{name}* now counts {new} instead of {old}"),
    "purpose-recipient-added": N_("*{detail}* now receives data for *{name}*"),
    "purpose-recipient-removed": N_("*{detail}* no longer receives data for *{name}*"),
    "purpose-automated-added": N_("purpose *{name}* now makes solely automated decisions"),
    "purpose-automated-removed": N_("purpose *{name}* no longer makes solely automated decisions"),
    "recipient-added": N_("recipient *{name}* ({new}) added"),
    "recipient-removed": N_("recipient *{name}* removed"),
    "recipient-country": N_("recipient *{name}* moved from {old} to {new}"),
    "recipient-transfer-basis": N_("transfer basis for *{name}* changed"),
    "recipient-edited": N_("description of recipient *{name}* edited"),
    "table-retention-set": N_("retention of *{name}* set to {new}"),
    "table-retention-dropped": N_("fixed retention of {old} for the data *{name}* removed"),
    "table-retention-longer": N_("retention of *{name}* extended from {old} to {new}"),
    "table-retention-shorter": N_("retention of *{name}* shortened from {old} to {new}"),
    "datastore-location": N_("database *{name}* now stored in {new}"),
    "cookie-added": N_("tracker *{name}* added"),
    "cookie-removed": N_("tracker *{name}* removed"),
    "cookie-edited": N_("tracker *{name}* changed"),
    "operator-edited": N_("operator details or contacts updated"),
    "age-rules-edited": N_("age rules changed"),
    "wording-edited": N_("wording edited"),
    "policy-right-removed": N_("right *{name}* no longer offered"),
    "policy-right-added": N_("right *{name}* now offered"),
    "policy-channel-removed": N_("requests can no longer be made by *{name}*"),
    "policy-answer-longer": N_("time to answer a request extended from {old} to {new}"),
    "policy-answer-changed": N_("time to answer a request changed from {old} to {new}"),
    "policy-erase-on-objection-dropped": N_(
        "an objection no longer leads to erasure of the account"
    ),
    "policy-measure-dropped": N_("security measure dropped: *{name}*"),
    "policy-measure-added": N_("security measure added: *{name}*"),
    "policy-breach-channel-removed": N_("breaches are no longer notified by *{name}*"),
    "policy-breach-slower": N_("breaches are notified later than before"),
    "policy-notify-removed": N_("changes to this notice are no longer announced by *{name}*"),
    "policy-human-review-dropped": N_("a person no longer reviews every decision"),
}


_DURATION_KINDS = {
    "purpose-retention-set",
    "purpose-retention-dropped",
    "purpose-retention-longer",
    "purpose-retention-shorter",
    "table-retention-set",
    "table-retention-dropped",
    "table-retention-longer",
    "table-retention-shorter",
}
_COUNTRY_KINDS = {"recipient-added", "recipient-country", "datastore-location"}


def _value(change: Change, value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if change.kind in _DURATION_KINDS:
        # Russian "с … до …" and "(…)" take the genitive; "установлен срок: …" the nominative.
        case = "gen" if lang == "ru" and not change.kind.endswith("-set") else "nom"
        return duration_phrase(Duration.parse(value), lang, case=case)
    if change.kind in _COUNTRY_KINDS:
        return country_name(value, lang)
    if change.kind == "purpose-basis-changed":
        label = phrases.BASIS[lang][LegalBasis(value)]
        return label[:1].lower() + label[1:] if lang == "en" else label
    if change.kind == "purpose-retention-start":
        return phrases.RETENTION_FROM[lang][RetentionStart(value)].format(d="").strip()
    if change.kind in ("policy-answer-longer", "policy-answer-changed"):
        return _answer_phrase(str(value), lang)
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or "")
    return str(value)


def _answer_phrase(value: str, lang: str) -> str:
    working = value.endswith("w")
    days = int(value.rstrip("w"))
    return count_phrase(days, "working_day" if working else "day", lang)


def describe(change: Change, lang: str) -> str:
    """One change in words, with names in *emphasis* (Markdown)."""
    words = i18n.translator(lang).gettext(_EN[change.kind])
    return words.format(
        name=change.name.get(lang, ""),
        detail=change.detail.get(lang, ""),
        old=_value(change, change.old, lang),
        new=_value(change, change.new, lang),
    )


def summary(changes: list[Change], lang: str) -> str:
    """All changes as one sentence-like line separated by semicolons."""
    return "; ".join(describe(c, lang) for c in changes)
