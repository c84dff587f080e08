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
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)  # counts only, never values
    line: int | None = None  # files: the first line it was seen on

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


def _label(register: Register, category: str) -> str:
    known = register.all_categories.get(category)
    return f"{category} ({known.en})" if known else category


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

    def add(kind: str, level: str, category: str, message: str, how: str) -> None:
        evidence = _evidence(result, category, how)
        out.append(Finding(kind, level, datastore, table, result.name, category, message, evidence))

    where = f"{datastore}.{table}.{result.name}"
    found: dict[str, str] = dict(result.categories)
    found.update({c: "text" for c in result.in_text if c not in found})
    for category, how in sorted(found.items()):
        label = _label(register, category)
        in_text = how == "text"
        said = f"{result.in_text.get(category, 0)} sampled value(s) contain" if in_text else "holds"
        if any(within(category, u) for u in unsolicited):
            add(
                "unsolicited",
                ERROR,
                category,
                f"{where} {said} {label}, which the policy asks people not to send",
                how,
            )
            continue
        sensitive = category_sensitivity(category, known) is not Sensitivity.ORDINARY
        if declared is not None and _covered(category, declared):
            continue
        if sensitive:
            add("special", ERROR, category, f"{where} {said} {label}, not declared", how)
        elif declared is None and not in_text:
            if how == "name":
                add(
                    "undeclared-by-name",
                    WARNING,
                    category,
                    f"{where} is not in the register and its name suggests {label}",
                    how,
                )
            else:
                add("undeclared", ERROR, category, f"{where} holds {label}, not declared", how)
        elif declared is None and in_text:
            add("undeclared", ERROR, category, f"{where} is not declared and {said} {label}", how)
        elif not in_text and how != "name":
            add(
                "wrong-category",
                ERROR,
                category,
                f"{where} is declared as {_label(register, declared or '')} but holds {label}",
                how,
            )
    for category, distinct in sorted(result.sparse.items()):
        if category in found or (declared is not None and _covered(category, declared)):
            continue
        add(
            "sparse",
            WARNING,
            category,
            f"{where}: {distinct} valid {_label(register, category)} value(s) in "
            f"{result.non_empty} sampled, too few to tag the column; review them",
            "content",
        )
    if declared is not None and result.mode != "skipped" and result.sampled:
        checkable = [k for k in KINDS.values() if within(k.category, declared)]
        none_valid = checkable and not any(k.id in result.content for k in checkable)
        if result.non_empty == 0:
            add(
                "declared-empty",
                WARNING,
                declared,
                f"{where} is declared as {_label(register, declared)} but every sampled "
                f"value is empty",
                "content",
            )
        elif (
            none_valid
            and result.mode == "values"
            and result.non_empty >= CORROBORATION
            and not any(_covered(c, declared) for c in found)
        ):
            add(
                "declared-empty",
                WARNING,
                declared,
                f"{where} is declared as {_label(register, declared)} but none of its "
                f"{result.non_empty} sampled values is one",
                "content",
            )
    return out
