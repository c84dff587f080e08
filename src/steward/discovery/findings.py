"""Findings: what a column holds, held against what the register declares about it.

Kinds of finding, with their level (an ``error`` fails ``steward scan`` in CI):

| kind | level | when |
| --- | --- | --- |
| ``unsolicited`` | error | a category of ``policy.unsolicited_categories`` found, declared or not |
| ``special`` | error | a special, biometric or criminal category is found and not declared |
| ``undeclared`` | error | personal data in a column the register does not declare (by content) |
| ``undeclared-by-name`` | warning | ... when only the column's name suggests it |
| ``wrong-category`` | error | the content is of a category the declaration does not cover |
| ``sparse`` | warning | a few valid values, too few to tag the column: review them |
| ``declared-empty`` | warning | a declared checkable category of which the sample holds none |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from steward.discovery.columns import CORROBORATION, ColumnResult
from steward.discovery.detectors import ALL_KINDS, KINDS, TIER_KINDS
from steward.lib.i18n import LANGUAGES, N_, Phrase
from steward.register.models import Register, Table, within
from steward.register.taxonomy import Sensitivity, category_sensitivity

ERROR, WARNING = "error", "warning"
_IDENTITY_CATEGORY = {
    "email": "contact.email",
    "phone": "contact.phone",
    "account-id": "account.id",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    level: str
    datastore: str  # a datastore id, or "file"
    table: str  # a table's qualified name, or a file's path
    column: str  # a column's name, a JSON key path, or "" for a whole text file
    category: str
    message: str  # English: what `steward scan` prints
    evidence: dict[str, Any] = field(default_factory=dict)  # counts only, never values
    line: int | None = None  # files: the first line it was seen on
    phrase: Phrase | None = None  # the message for each reader (the discovery page)

    @property
    def fingerprint(self) -> str:
        return "|".join((self.kind, self.datastore, self.table, self.column, self.category))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "level": self.level,
            "datastore": self.datastore,
            "table": self.table,
            "column": self.column,
            "category": self.category,
            "message": self.message,
            "evidence": self.evidence,
            "line": self.line,
        }


def declared_categories(table: Table | None) -> dict[str, str]:
    """Column -> category the register declares for it (``identity`` columns included)."""
    if table is None:
        return {}
    declared = {name: _IDENTITY_CATEGORY[kind.value] for name, kind in table.identity.items()}
    declared.update({name: spec.category for name, spec in table.columns.items()})
    return declared


def _covered(found: str, declared: str) -> bool:
    return within(found, declared) or within(declared, found)


def _label(register: Register, category: str) -> dict[str, str] | str:
    """The category as a finding names it, in each language: ``identity.document (Identity
    document)``; the id alone when the taxonomy does not know it."""
    if category not in register.all_categories:
        return category
    return {lang: f"{category} ({register.category_name(category, lang)})" for lang in LANGUAGES}


def _evidence(result: ColumnResult, category: str, how: str) -> dict[str, Any]:
    kinds = {k: result.content[k] for k in result.content if ALL_KINDS[k].category == category}
    evidence: dict[str, Any] = {"evidence": how, "sampled": result.sampled}
    evidence["non_empty"] = result.non_empty
    if kinds:
        evidence["validated"] = {k: {"rows": r, "distinct": d} for k, (r, d) in kinds.items()}
    if category in result.in_text:
        evidence["rows_with_it"] = result.in_text[category]
    if result.names_checked and any(k.category == category for k in TIER_KINDS.values()):
        evidence["names_tier_values"] = result.names_checked  # values the names tier read
    if result.notes:
        evidence["notes"] = result.notes
    return evidence


def column_findings(
    register: Register,
    datastore: str,
    table: str,
    result: ColumnResult,
    declared: str | None,
) -> list[Finding]:
    """Findings of one classified column; ``declared`` is its declared category, if any."""
    unsolicited = register.policy.unsolicited_categories
    known = register.all_categories
    out: list[Finding] = []

    def add(kind: str, level: str, category: str, how: str, said: Phrase) -> None:
        evidence = _evidence(result, category, how)
        column = (datastore, table, result.name)
        out.append(Finding(kind, level, *column, category, str(said), evidence, phrase=said))

    where = f"{datastore}.{table}.{result.name}"

    def at(text: str, **values: Any) -> Phrase:
        """A finding's sentence about this column (``text`` marked ``N_``)."""
        return Phrase(text, where=where, **values)

    found: dict[str, str] = dict(result.categories)
    found.update({c: "text" for c in result.in_text if c not in found})
    for category, how in sorted(found.items()):
        label = _label(register, category)
        in_text = how == "text"
        verb = (
            Phrase.ngettext(
                "%(num)s sampled value contains",
                "%(num)s sampled values contain",
                result.in_text.get(category, 0),
            )
            if in_text
            else Phrase(N_("holds"))
        )
        if any(within(category, u) for u in unsolicited):
            text = N_("%(where)s %(said)s %(label)s, which the policy asks people not to send")
            add("unsolicited", ERROR, category, how, at(text, said=verb, label=label))
            continue
        sensitive = category_sensitivity(category, known) is not Sensitivity.ORDINARY
        if declared is not None and _covered(category, declared):
            continue
        if sensitive:
            text = N_("%(where)s %(said)s %(label)s, not declared")
            add("special", ERROR, category, how, at(text, said=verb, label=label))
        elif declared is None and not in_text:
            if how == "name":
                text = N_("%(where)s is not in the register and its name suggests %(label)s")
                add("undeclared-by-name", WARNING, category, how, at(text, label=label))
            else:
                text = N_("%(where)s holds %(label)s, not declared")
                add("undeclared", ERROR, category, how, at(text, label=label))
        elif declared is None and in_text:
            text = N_("%(where)s is not declared and %(said)s %(label)s")
            add("undeclared", ERROR, category, how, at(text, said=verb, label=label))
        elif not in_text and how != "name":
            text = N_("%(where)s is declared as %(declared)s but holds %(label)s")
            other = _label(register, declared or "")
            add("wrong-category", ERROR, category, how, at(text, declared=other, label=label))
    for category, distinct in sorted(result.sparse.items()):
        if category in found or (declared is not None and _covered(category, declared)):
            continue
        few = Phrase.ngettext(
            "%(where)s: %(num)s valid %(label)s value in %(sampled)s sampled, too few to "
            "tag the column; review it",
            "%(where)s: %(num)s valid %(label)s values in %(sampled)s sampled, too few to "
            "tag the column; review them",
            distinct,
            where=where,
            label=_label(register, category),
            sampled=result.non_empty,
        )
        add("sparse", WARNING, category, "content", few)
    if declared is not None and result.mode != "skipped" and result.sampled:
        checkable = [k for k in KINDS.values() if within(k.category, declared)]
        none_valid = checkable and not any(k.id in result.content for k in checkable)
        if result.non_empty == 0:
            text = N_("%(where)s is declared as %(label)s but every sampled value is empty")
            empty = at(text, label=_label(register, declared))
            add("declared-empty", WARNING, declared, "content", empty)
        elif (
            none_valid
            and result.mode == "values"
            and result.non_empty >= CORROBORATION
            and not any(_covered(c, declared) for c in found)
        ):
            text = N_(
                "%(where)s is declared as %(label)s but none of its %(sampled)s sampled values "
                "is one"
            )
            none = at(text, label=_label(register, declared), sampled=result.non_empty)
            add("declared-empty", WARNING, declared, "content", none)
    return out
