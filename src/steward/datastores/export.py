"""The access ZIP and the portability export.

    blob = build_zip(register, outcomes, reference="R-42", language="ru", subject="customer")

Access: ``data.json`` (by datastore and table, each field with its category, its label and, for
a looked-up value, the text it stands for), one CSV per table (UTF-8 with a byte-order mark, so
that Excel reads it as UTF-8; readable column labels as headers), and ``report.html`` in the
subject's language (GDPR Art. 15(1), 152-FZ Art. 14(7)): what is held and why, per purpose its
legal basis and how long it is kept in words ("3 years after the contract ends"), the
recipients and sources, the subject's rights and how to complain, then the rows themselves,
sorted, with the register's column labels. With no row found it says plainly that nothing is
held. Only purposes for the request's subject kind that the tables holding a category serve
are listed. Rows the subject shares with someone else (``DatastoreOutcome.shared``) are
answered and marked: ``data.json`` lists their positions under ``shared``.
Portability: ``data.json`` and CSVs only (column names as headers), limited to tables processed
on consent or contract (GDPR Art. 20(1)(a): a table serving at least one purpose on either basis)
and in them to columns whose purposes say the subject provided the data (source ``subject``);
``data.json`` names under ``excluded`` each table of the subject's left out, its rows and its bases.

The report is one template for every language, ``templates/access/report.html.j2``, its text
marked for the catalogue (``_()``, ``ngettext``: ``lib/i18n``); the register's vocabularies are
named by ``notices.phrases``, the rights as the notice states them (``notices.content``).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape

from steward.datastores.executor import DatastoreOutcome
from steward.datastores.holds import table_purposes
from steward.lib import i18n
from steward.lib.cells import safe_cell
from steward.lib.i18n import N_
from steward.notices import phrases
from steward.notices.content import subject_rights
from steward.register.models import ColumnSpec, Purpose, Register, Table
from steward.register.taxonomy import LegalBasis, Source

HIDDEN = "account.password"
TEMPLATES = Path(__file__).parent / "templates" / "access"
LANGUAGES = ("en", "ru")
BOM = "\ufeff"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


@pass_context
def _gettext(context: Any, message: str) -> str:
    return i18n.translator(context["lang"]).gettext(message)


@pass_context
def _ngettext(context: Any, singular: str, plural: str, n: int) -> str:
    return i18n.translator(context["lang"]).ngettext(singular, plural, n)


WORDS = {"yes": N_("yes"), "no": N_("no"), "hidden": N_("(stored, not shown)")}
"""The words of the rows' cells (the CSV's too); the report's own text is in its template."""
EMPTY = "—"


def words(lang: str) -> dict[str, str]:
    """The cells' words in ``lang``, from the catalogue."""
    return i18n.words(WORDS, lang)


@dataclass
class Column:
    name: str
    label: str
    category: str | None


@dataclass
class Listed:
    """One table of the subject's rows as the report shows them."""

    key: str  # datastore.table
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)  # column -> shown text
    raw: list[dict[str, Any]] = field(default_factory=list)  # column -> data.json field
    shared: list[int] = field(default_factory=list)


def _name(names: dict[str, str] | None, lang: str, fallback: str) -> str:
    if not names:
        return fallback
    return i18n.localized(names, lang)


def humanised(name: str) -> str:
    """A column or table name made readable: ``city_id`` -> "City id"."""
    text = " ".join(name.replace("_", " ").replace("-", " ").split())
    return text[:1].upper() + text[1:] if text else name


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _shown(value: Any, w: dict[str, str]) -> str:
    """A value as a person reads it in the report and the CSV."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return w["yes"] if value else w["no"]
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M" if value.time() else "%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _looked_up(texts: dict[Any, str] | None, value: Any) -> str | None:
    if not texts or value is None:
        return None
    try:
        return texts.get(value)
    except TypeError:  # an unhashable value (an array) is never a lookup key
        return None


def _sort_key(row: dict[str, Any]) -> list[tuple[int, Any]]:
    key: list[tuple[int, Any]] = []
    for value in row.values():
        if value is None:
            key.append((0, 0))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            key.append((1, value))
        else:
            key.append((2, str(value)))
    return key


def _categories(spec: Table) -> dict[str, str]:
    cats = {c: s.category for c, s in spec.columns.items()}
    for column, kind in spec.identity.items():
        cats.setdefault(
            column,
            {"email": "contact.email", "phone": "contact.phone"}.get(kind.value, "account.id"),
        )
    return cats


def _label(spec: ColumnSpec | None, column: str, lang: str) -> str:
    if spec is not None and spec.label:
        return spec.label.get(lang) or humanised(column)
    return humanised(column)


def _provided_by_subject(register: Register, category: str) -> bool:
    purposes = register.purposes_covering(category)
    return any(not p.sources or Source.SUBJECT in p.sources for p in purposes) or not purposes


PORTABLE = (LegalBasis.CONSENT, LegalBasis.CONTRACT)


def not_portable(register: Register, spec: Table) -> list[str]:
    """The bases of a table a portability export leaves out (none on consent or contract);
    empty when the table is portable (or serves no declared purpose)."""
    purposes = table_purposes(register, spec)
    if not purposes or any(p.basis in PORTABLE for p in purposes):
        return []
    return sorted({p.basis.value for p in purposes})


def excluded_tables(register: Register, outcomes: list[DatastoreOutcome]) -> list[dict[str, Any]]:
    """The subject's tables a portability export leaves out, with their rows and bases."""
    specs = _specs(register)
    out = []
    for outcome in outcomes:
        for table, rows in sorted(outcome.rows.items()):
            bases = not_portable(register, specs[(outcome.datastore, table)])
            if bases and rows:
                out.append(
                    {"table": f"{outcome.datastore}.{table}", "rows": len(rows), "bases": bases}
                )
    return out


def _specs(register: Register) -> dict[tuple[str, str], Table]:
    return {(d.id, t.qualified_name): t for d in register.datastores for t in d.tables}


def _listed(
    register: Register, outcomes: list[DatastoreOutcome], lang: str, portability: bool
) -> tuple[list[Listed], dict[str, list[str]]]:
    """The subject's rows per table, labelled and sorted; and where each category was found."""
    w = words(lang)
    specs = _specs(register)
    tables: list[Listed] = []
    seen: dict[str, list[str]] = {}
    for outcome in outcomes:
        for table, rows in sorted(outcome.rows.items()):
            if not rows:
                continue
            spec = specs[(outcome.datastore, table)]
            if portability and not_portable(register, spec):
                continue  # not processed on consent or contract: named under "excluded"
            cats = _categories(spec)
            names = list(rows[0])
            if portability:
                names = [c for c in names if c in cats and _provided_by_subject(register, cats[c])]
            columns = [Column(c, _label(spec.columns.get(c), c, lang), cats.get(c)) for c in names]
            looked = outcome.lookups.get(table, {})
            shared_from = len(rows) - len(outcome.shared.get(table, []))
            marked = [(row, index >= shared_from) for index, row in enumerate(rows)]
            marked.sort(key=lambda pair: _sort_key(pair[0]))
            title = (spec.label or {}).get(lang) or humanised(spec.name)
            listed = Listed(f"{outcome.datastore}.{table}", title, columns)
            for position, (row, shared) in enumerate(marked):
                shown: dict[str, Any] = {}
                raw: dict[str, Any] = {}
                for column in columns:
                    value = row[column.name]
                    entry: dict[str, Any] = {"value": _value(value), "category": column.category}
                    if column.category and column.category.startswith(HIDDEN):
                        entry["value"] = shown[column.name] = w["hidden"]
                    elif (text := _looked_up(looked.get(column.name), value)) is not None:
                        entry["shows"] = shown[column.name] = text
                    else:
                        shown[column.name] = _shown(value, w)
                    if column.label != column.name:
                        entry["label"] = column.label
                    raw[column.name] = entry
                listed.rows.append(shown)
                listed.raw.append(raw)
                if shared:
                    listed.shared.append(position)
            for category in {c.category for c in columns if c.category}:
                seen.setdefault(category, []).append(listed.key)
            tables.append(listed)
    return tables, seen


def _purposes(register: Register, category: str, tables: list[str], subject: str) -> list[Purpose]:
    """Purposes covering ``category`` for ``subject``'s kind that one of ``tables`` serves (a
    table naming no purposes may serve any)."""
    specs = {f"{d}.{t}": spec for (d, t), spec in _specs(register).items()}
    served: set[str] = set()
    anything = False
    for name in tables:
        spec = specs.get(name)
        if spec is None or not spec.purposes:
            anything = True
        else:
            served.update(spec.purposes)
    return [
        p
        for p in register.purposes_covering(category)
        if subject in p.subjects and (anything or p.id in served)
    ]


def _retention(purpose: Purpose, lang: str) -> str:
    kept = purpose.retention
    return phrases.retention_phrase(
        kept.duration if kept else None, kept.from_ if kept else None, lang
    )


def _recipients(register: Register, purposes: list[Purpose], lang: str) -> list[str]:
    return list(
        dict.fromkeys(
            _name(register.recipient(r).names, lang, register.recipient(r).name)
            for p in purposes
            for r in p.recipients
        )
    )


def _category_rows(
    register: Register, seen: dict[str, list[str]], lang: str, subject: str
) -> tuple[list[dict[str, Any]], list[Purpose]]:
    rows = []
    involved: dict[str, Purpose] = {}
    for category in sorted(seen):
        purposes = _purposes(register, category, seen[category], subject)
        involved.update((p.id, p) for p in purposes)
        rows.append(
            {
                "id": category,
                "name": register.category_name(category, lang),
                "purposes": [_name(p.names, lang, p.id) for p in purposes],
                "recipients": _recipients(register, purposes, lang),
                "retention": [
                    f"{_name(p.names, lang, p.id)}: {_retention(p, lang)}" for p in purposes
                ],
                "sources": list(
                    dict.fromkeys(phrases.SOURCE[lang][s] for p in purposes for s in p.sources)
                ),
            }
        )
    order = [p.id for p in register.purposes]
    return rows, sorted(involved.values(), key=lambda p: order.index(p.id))


def _purpose_rows(register: Register, purposes: list[Purpose], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "name": _name(p.names, lang, p.id),
            "description": _name(p.descriptions, lang, ""),
            "basis": phrases.BASIS[lang][p.basis],
            "basis_reference": p.basis_reference,
            "retention": _retention(p, lang),
            "data": [register.category_name(c, lang) for c in p.categories],
            "recipients": _recipients(register, [p], lang),
        }
        for p in purposes
    ]


def _csv(listed: Listed, portability: bool) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([c.name if portability else c.label for c in listed.columns])
    source = (
        [[r[c.name]["value"] for c in listed.columns] for r in listed.raw]
        if portability
        else [[r[c.name] for c in listed.columns] for r in listed.rows]
    )
    writer.writerows([[safe_cell(v) if isinstance(v, str) else v for v in row] for row in source])
    return BOM + text.getvalue()


def _report(
    register: Register,
    lang: str,
    reference: str,
    tables: list[Listed],
    categories: list[dict[str, Any]],
    purposes: list[Purpose],
) -> str:
    contacts = register.operator.contacts
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            lang=lang,
            operator=_name(register.operator.names, lang, register.operator.legal_name),
            legal_name=register.operator.legal_name,
            reference=reference,
            generated=phrases.long_date(datetime.now(UTC).date(), lang),
            categories=categories,
            purposes=_purpose_rows(register, purposes, lang),
            tables=tables,
            rights=subject_rights(register, lang),
            privacy_email=str(contacts.privacy_email),
            dpo=contacts.dpo,
        )
    )


def build_zip(
    register: Register,
    outcomes: list[DatastoreOutcome],
    *,
    reference: str,
    language: str,
    portability: bool = False,
    subject: str | None = None,
) -> bytes:
    """The ZIP answering an access (or portability) request of a ``subject`` kind (None: the
    register's default)."""
    lang = language if language in LANGUAGES else "en"
    tables, seen = _listed(register, outcomes, lang, portability)
    categories, purposes = _category_rows(
        register, seen, lang, subject or register.default_subject()
    )
    data: dict[str, Any] = {}
    for listed in tables:
        store, _, table = listed.key.partition(".")
        data.setdefault(store, {})[table] = listed.raw
    document: dict[str, Any] = {
        "reference": reference,
        "operator": register.operator.legal_name,
        "generated_at": datetime.now(UTC).isoformat(),
        "kind": "portability" if portability else "access",
        "datastores": data,
        "shared": {t.key: t.shared for t in tables if t.shared},
    }
    if not portability:
        document["categories"] = categories
    else:
        document["excluded"] = [
            {
                **entry,
                "why": "portability covers data processed on consent or a contract "
                "(GDPR Art. 20(1)(a)); this table's purposes rest on " + ", ".join(entry["bases"]),
            }
            for entry in excluded_tables(register, outcomes)
        ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        for listed in tables:
            archive.writestr(f"{listed.key}.csv", _csv(listed, portability))
        if not portability:
            html = _report(register, lang, reference, tables, categories, purposes)
            archive.writestr("report.html", html)
    return buffer.getvalue()
