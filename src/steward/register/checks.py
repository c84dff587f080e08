"""Checks across a register's sections: references, duplicates, translations, and lint.

Each check takes a ``Draft`` (whatever parts of the file could be validated) so that one run
reports every problem in the file, not only those in its well-formed parts. A check yields
``(path, code, message)``; the loader turns paths into file positions.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from steward.register.models import (
    ConsentItem,
    Cookie,
    CustomCategory,
    Datastore,
    Operator,
    Policy,
    Purpose,
    Recipient,
    Subject,
    within,
)
from steward.register.taxonomy import (
    BUILTIN_CATEGORIES,
    Jurisdiction,
    LegalBasis,
    Sensitivity,
    category_sensitivity,
)
from steward.register.yamlsource import Path

Finding = tuple[Path, str, str]
_T = TypeVar("_T")


@dataclass
class Draft:
    """The validated parts of a register, each list item with its index in the file."""

    operator: Operator | None = None
    subjects: list[tuple[int, Subject]] = field(default_factory=list)
    categories: list[tuple[int, CustomCategory]] = field(default_factory=list)
    purposes: list[tuple[int, Purpose]] = field(default_factory=list)
    recipients: list[tuple[int, Recipient]] = field(default_factory=list)
    datastores: list[tuple[int, Datastore]] = field(default_factory=list)
    cookies: list[tuple[int, Cookie]] = field(default_factory=list)
    consent_items: list[tuple[int, ConsentItem]] = field(default_factory=list)
    policy: Policy | None = None
    # Sections that failed validation; references into them are not reported as unknown.
    broken: set[str] = field(default_factory=set)
    # Items built from their valid fields only (see loader._salvage); lint skips them.
    partial: set[tuple[str, int]] = field(default_factory=set)

    def whole(self) -> Draft:
        """This draft without partial items: what lint may judge."""

        def keep(section: str, items: list[tuple[int, _T]]) -> list[tuple[int, _T]]:
            return [(i, item) for i, item in items if (section, i) not in self.partial]

        return Draft(
            operator=None if ("operator", 0) in self.partial else self.operator,
            subjects=keep("subjects", self.subjects),
            categories=keep("categories", self.categories),
            purposes=keep("purposes", self.purposes),
            recipients=keep("recipients", self.recipients),
            datastores=keep("datastores", self.datastores),
            cookies=keep("cookies", self.cookies),
            consent_items=self.consent_items,
            policy=self.policy,
            broken=self.broken,
        )

    def category_ids(self) -> set[str]:
        return set(BUILTIN_CATEGORIES) | {c.id for _, c in self.categories}

    def sensitivity(self, category_id: str) -> Sensitivity:
        known = dict(BUILTIN_CATEGORIES)
        known.update({c.id: c.as_category() for _, c in self.categories})
        return category_sensitivity(category_id, known)


def _suggest(value: str, known: Iterable[str], what: str) -> str:
    options = sorted(known)
    close = difflib.get_close_matches(value, options, n=3, cutoff=0.5)
    if not close:
        prefix = value.split(".")[0]
        close = [o for o in options if o.startswith(prefix + ".") or o == prefix][:3]
    if close:
        return (
            f"unknown {what} '{value}'; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        )
    sample = ", ".join(options[:8]) + (", ..." if len(options) > 8 else "")
    return f"unknown {what} '{value}'; known: {sample}" if options else f"unknown {what} '{value}'"


def _duplicates(section: str, items: Sequence[tuple[int, object]], key: str) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, item in items:
        value = getattr(item, key, None)
        if value is None:
            continue
        if value in seen:
            yield (
                (section, index, key),
                "E101",
                f"duplicate {key} '{value}' (also item {seen[value] + 1} of '{section}'); "
                "ids must be unique",
            )
        else:
            seen[value] = index


def check_unique_ids(d: Draft) -> Iterator[Finding]:
    yield from _duplicates("subjects", d.subjects, "id")
    yield from _duplicates("categories", d.categories, "id")
    yield from _duplicates("purposes", d.purposes, "id")
    yield from _duplicates("recipients", d.recipients, "id")
    yield from _duplicates("datastores", d.datastores, "id")
    yield from _duplicates("cookies", d.cookies, "name")
    yield from (
        (("consents", *path), code, msg)
        for path, code, msg in _duplicates("items", d.consent_items, "id")
    )


def check_custom_categories(d: Draft) -> Iterator[Finding]:
    own = {c.id for _, c in d.categories}
    for index, cat in d.categories:
        path: Path = ("categories", index, "id")
        if cat.id in BUILTIN_CATEGORIES:
            yield path, "E102", f"'{cat.id}' is a built-in category; remove it or choose a new id"
            continue
        parent = cat.id.rpartition(".")[0]
        if not parent:
            yield (
                path,
                "E103",
                f"custom category '{cat.id}' needs a parent: write it as a dotted id under a "
                f"built-in category, e.g. 'contact.{cat.id}' or 'content.{cat.id}'",
            )
        elif parent not in BUILTIN_CATEGORIES and parent not in own:
            yield path, "E104", _suggest(parent, BUILTIN_CATEGORIES, "parent category")


def _refs(
    d: Draft, section: str, known: set[str], what: str, code: str
) -> Callable[[Path, Iterable[str]], Iterator[Finding]]:
    def check(path: Path, values: Iterable[str]) -> Iterator[Finding]:
        if section in d.broken:
            return
        for i, value in enumerate(values):
            if value not in known:
                yield (*path, i), code, _suggest(value, known, what)

    return check


def check_references(d: Draft) -> Iterator[Finding]:
    categories = d.category_ids()
    purposes = {getattr(p, "id", "") for _, p in d.purposes}
    subject_check = _refs(d, "subjects", {s.id for _, s in d.subjects}, "subject kind", "E111")
    category_check = _refs(d, "categories", categories, "category", "E112")
    recipient_check = _refs(d, "recipients", {r.id for _, r in d.recipients}, "recipient", "E113")
    purpose_check = _refs(d, "purposes", purposes, "purpose", "E114")

    for i, p in d.purposes:
        yield from category_check(("purposes", i, "categories"), getattr(p, "categories", []))
        yield from subject_check(("purposes", i, "subjects"), getattr(p, "subjects", []))
        yield from recipient_check(("purposes", i, "recipients"), getattr(p, "recipients", []))
    for i, c in d.cookies:
        for _, code, msg in purpose_check(("cookies", i), [getattr(c, "purpose", None) or ""]):
            yield ("cookies", i, "purpose"), code, msg
    for i, item in d.consent_items:
        for _, code, msg in purpose_check(("consents", "items", i), [item.purpose]):
            yield ("consents", "items", i, "purpose"), code, msg
    for s, store in d.datastores:
        store_tables = getattr(store, "tables", [])
        tables = {t.name for t in store_tables} | {t.qualified_name for t in store_tables}
        for t, table in enumerate(store_tables):
            base: Path = ("datastores", s, "tables", t)
            for column, spec in table.columns.items():
                for _, code, msg in category_check(base, [spec.category]):
                    yield (*base, "columns", column), code, msg
            if table.subject is not None:
                for _, code, msg in subject_check(base, [table.subject]):
                    yield (*base, "subject"), code, msg
            yield from subject_check((*base, "belongs_to"), table.belongs_to)
            yield from purpose_check((*base, "purposes"), table.purposes)
            for r, ref in enumerate(table.references):
                if ref.table not in tables:
                    yield (
                        (*base, "references", r, "table"),
                        "E115",
                        _suggest(ref.table, tables, f"table in datastore '{store.id}'"),
                    )


def check_translations(d: Draft) -> Iterator[Finding]:
    """Every name and description exists in each language the operator publishes."""
    languages = getattr(d.operator, "languages", None)
    if not languages:
        return
    sections: list[tuple[str, Sequence[tuple[int, object]], tuple[str, ...]]] = [
        ("subjects", d.subjects, ("names",)),
        ("categories", d.categories, ("names",)),
        ("purposes", d.purposes, ("names", "descriptions")),
    ]
    for section, items, fields in sections:
        for index, item in items:
            for name in fields:
                text = getattr(item, name, None)
                if text is None:
                    continue
                missing = [lang for lang in languages if lang not in text]
                if missing:
                    yield (
                        (section, index, name),
                        "E121",
                        f"'{name}' has no text in {', '.join(missing)}; the operator publishes "
                        f"notices in {', '.join(languages)}",
                    )
    for index, item in d.consent_items:
        missing = [lang for lang in languages if lang not in item.labels]
        if missing:
            yield (
                ("consents", "items", index, "labels"),
                "E121",
                f"'labels' has no text in {', '.join(missing)}; a consent must be asked in the "
                "subject's language",
            )
    names = getattr(d.operator, "names", None)
    missing = [lang for lang in languages if names is not None and lang not in names]
    if missing:
        yield ("operator", "names"), "E121", f"'names' has no text in {', '.join(missing)}"


def check_consent_retention(d: Draft) -> Iterator[Finding]:
    for i, p in d.purposes:
        retention, basis = getattr(p, "retention", None), getattr(p, "basis", None)
        if retention and retention.from_ == "consent-withdrawal" and basis not in (None, "consent"):
            yield (
                ("purposes", i, "retention", "from"),
                "E131",
                f"retention counts from consent withdrawal but the basis is '{basis}'; "
                "use 'collection', 'last-activity' or 'contract-end'",
            )


def check_policy(d: Draft) -> Iterator[Finding]:
    if d.policy is None:
        return
    requests = d.policy.requests
    if requests is not None and requests.subject is not None and "subjects" not in d.broken:
        known = {s.id for _, s in d.subjects}
        if requests.subject not in known:
            yield (
                ("policy", "requests", "subject"),
                "E111",
                _suggest(requests.subject, known, "subject kind"),
            )
    if "categories" not in d.broken:
        known = d.category_ids()
        for i, category in enumerate(d.policy.unsolicited_categories):
            if category not in known:
                yield (
                    ("policy", "unsolicited_categories", i),
                    "E116",
                    _suggest(category, known, "category"),
                )
    if d.policy.human_review:
        for i, p in d.purposes:
            if getattr(p, "automated_decision", False):
                yield (
                    ("purposes", i, "automated_decision"),
                    "E133",
                    f"purpose '{p.id}' declares a solely automated decision, but "
                    "policy.human_review says a person reviews every decision; change one of them",
                )


STRUCTURAL_CHECKS = (
    check_unique_ids,
    check_custom_categories,
    check_references,
    check_translations,
    check_consent_retention,
    check_policy,
)


# Lint: valid registers that a regulator would still question. Warnings unless --strict.


def lint_retention(d: Draft) -> Iterator[Finding]:
    for i, p in d.purposes:
        if p.retention is None:
            yield (
                ("purposes", i),
                "L001",
                f"purpose '{p.id}' has no retention; add 'retention: {{duration: P1Y, "
                "from: collection}' (GDPR Art. 5(1)(e), 152-FZ Art. 5 p.7)",
            )


def lint_consent_items(d: Draft) -> Iterator[Finding]:
    with_items = {item.purpose for _, item in d.consent_items}
    with_cookies = {c.purpose for _, c in d.cookies}
    for i, p in d.purposes:
        if p.basis == LegalBasis.CONSENT and p.id not in with_items | with_cookies:
            yield (
                ("purposes", i, "basis"),
                "L002",
                f"purpose '{p.id}' rests on consent but no consent item or cookie asks for it; "
                f"add one under 'consents.items' with 'purpose: {p.id}'",
            )


def lint_localization(d: Draft) -> Iterator[Finding]:
    if d.operator is None or Jurisdiction.RU_152FZ not in d.operator.jurisdictions:
        return
    for i, store in d.datastores:
        if store.location != "RU":
            yield (
                ("datastores", i, "location"),
                "L003",
                f"datastore '{store.id}' is in {store.location}, but 152-FZ Art. 18 p.5 requires "
                "Russian citizens' data to be recorded and stored in databases in Russia (RU)",
            )


def lint_transfers(d: Draft) -> Iterator[Finding]:
    if d.operator is None:
        return
    for i, r in d.recipients:
        if r.country != d.operator.country and r.transfer_basis is None:
            yield (
                ("recipients", i, "country"),
                "L004",
                f"recipient '{r.id}' is in {r.country}, outside {d.operator.country}, with no "
                "'transfer_basis' (adequacy, standard-clauses, consent, ...)",
            )


def lint_uncovered_categories(d: Draft) -> Iterator[Finding]:
    declared = [p.categories for _, p in d.purposes]
    for s, store in d.datastores:
        for t, table in enumerate(store.tables):
            for column, spec in table.columns.items():
                if not any(within(spec.category, c) for cats in declared for c in cats):
                    yield (
                        ("datastores", s, "tables", t, "columns", column),
                        "L005",
                        f"column '{table.name}.{column}' holds '{spec.category}', which no "
                        "purpose covers; add it to a purpose's categories or stop storing it",
                    )


def lint_special_basis(d: Draft) -> Iterator[Finding]:
    for i, p in d.purposes:
        if p.special_basis is not None:
            continue
        for j, cat in enumerate(p.categories):
            level = d.sensitivity(cat)
            if level in (Sensitivity.SPECIAL, Sensitivity.BIOMETRIC, Sensitivity.CRIMINAL):
                yield (
                    ("purposes", i, "categories", j),
                    "L006",
                    f"'{cat}' is a {level} category; purpose '{p.id}' needs a 'special_basis' "
                    "(explicit-consent, employment, ...) under GDPR Art. 9(2) / 152-FZ Art. 10-11",
                )


def _account_kinds(store: Datastore) -> set[str]:
    return {t.subject for t in store.tables if t.subject}


def lint_subject_kinds(d: Draft) -> Iterator[Finding]:
    """Where two subject kinds have accounts, say whose data each table is."""
    subjects = {p.id: set(p.subjects) for _, p in d.purposes}
    everyone = {s.id for _, s in d.subjects}
    accounts: set[str] = set()
    for s, store in d.datastores:
        kinds = _account_kinds(store)
        accounts |= kinds
        if len(kinds) < 2:
            continue
        for t, table in enumerate(store.tables):
            if table.subject or table.belongs_to or table.reference_data:
                continue
            if not (table.identity or table.columns or table.references):
                continue
            mine = {k for p in table.purposes for k in subjects.get(p, set())} or everyone
            both = sorted(mine & kinds)
            if len(both) > 1:
                yield (
                    ("datastores", s, "tables", t),
                    "L007",
                    f"table '{table.name}' may hold the data of {' or '.join(both)} (its "
                    f"purposes cover both), and both have accounts in datastore '{store.id}': "
                    f"say whose rows they are with 'belongs_to: [{both[0]}]', or a row that "
                    "refers to an account of the other kind is taken for the requester's",
                )
    requests = d.policy.requests if d.policy is not None else None
    if len(accounts) > 1 and (requests is None or requests.subject is None):
        first = next((s.id for _, s in d.subjects if s.id in accounts), "")
        yield (
            ("subjects",),
            "L008",
            f"subject kinds {', '.join(sorted(accounts))} all have account tables; say which "
            f"one a Privacy Center request is for with 'policy: {{requests: {{subject: "
            f"{first}}}}}' (until then it is '{first}', the first listed)",
        )


LINT_CHECKS = (
    lint_subject_kinds,
    lint_retention,
    lint_consent_items,
    lint_localization,
    lint_transfers,
    lint_uncovered_categories,
    lint_special_basis,
)
