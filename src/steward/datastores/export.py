"""The access ZIP and the portability export.

    blob = build_access_zip(register, outcomes, reference="R-42", language="ru")

Access: ``data.json`` (by datastore and table, each field with its category), one CSV per
table, and ``report.html`` in the subject's language stating, per category, the purposes,
recipients, retention and source (GDPR Art. 15(1), 152-FZ Art. 14(7)): only those of purposes
for the request's subject kind that the tables holding the category serve. Rows the subject
shares with someone else (``DatastoreOutcome.shared``) are answered and marked: ``data.json``
lists their positions under ``shared``, the report says so on each.
Portability: ``data.json`` and CSVs only, limited to tables processed on consent or contract
(GDPR Art. 20(1)(a): a table serving at least one purpose on either basis) and in them to
columns whose purposes say the subject provided the data (source ``subject``); ``data.json``
names under ``excluded`` each table of the subject's left out, its rows and its bases.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, select_autoescape

from steward.datastores.executor import DatastoreOutcome
from steward.datastores.holds import table_purposes
from steward.register.models import Purpose, Register, Table
from steward.register.taxonomy import LegalBasis, Source

HIDDEN = "account.password"
HIDDEN_TEXT = {"en": "(stored, not shown)", "ru": "(хранится, не показывается)"}

TEXT = {
    "en": {
        "title": "Your personal data",
        "intro": "This is a copy of the personal data {operator} holds about you (request {ref}).",
        "category": "Category",
        "purposes": "Purposes",
        "recipients": "Recipients",
        "retention": "Retention",
        "source": "Source",
        "tables": "Where it is stored",
        "none": "none",
        "rows": "records",
        "from": "from",
        "shared": "shared with someone else",
    },
    "ru": {
        "title": "Ваши персональные данные",
        "intro": "Копия персональных данных, которые обрабатывает {operator} (обращение {ref}).",
        "category": "Категория",
        "purposes": "Цели",
        "recipients": "Получатели",
        "retention": "Срок хранения",
        "source": "Источник",
        "tables": "Где хранятся",
        "none": "нет",
        "rows": "записей",
        "from": "с момента",
        "shared": "общая запись с другим лицом",
    },
}

REPORT = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ t.title }}</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}</style></head>
<body><h1>{{ t.title }}</h1><p>{{ intro }}</p>
<table><tr><th>{{ t.category }}</th><th>{{ t.purposes }}</th><th>{{ t.recipients }}</th>
<th>{{ t.retention }}</th><th>{{ t.source }}</th></tr>
{% for c in categories %}<tr><td>{{ c.name }}</td><td>{{ c.purposes|join("; ") or t.none }}</td>
<td>{{ c.recipients|join("; ") or t.none }}</td><td>{{ c.retention|join("; ") or t.none }}</td>
<td>{{ c.sources|join(", ") or t.none }}</td></tr>{% endfor %}</table>
<h2>{{ t.tables }}</h2>
{% for table in tables %}<h3>{{ table.name }} ({{ table.rows|length }} {{ t.rows }})</h3>
<table><tr>{% for col in table.columns %}<th>{{ col }}</th>{% endfor %}</tr>
{% for row in table.rows %}<tr>{% for col in table.columns %}<td>{{ row[col] }}</td>{% endfor %}
{% if loop.index0 in table.shared %}<td>{{ t.shared }}</td>{% endif %}
</tr>{% endfor %}</table>{% endfor %}
</body></html>
"""


def _name(names: dict[str, str] | None, lang: str, fallback: str) -> str:
    if not names:
        return fallback
    return names.get(lang) or names.get("en") or next(iter(names.values()))


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _categories(spec: Table) -> dict[str, str]:
    cats = {c: s.category for c, s in spec.columns.items()}
    for column, kind in spec.identity.items():
        cats.setdefault(
            column,
            {"email": "contact.email", "phone": "contact.phone"}.get(kind.value, "account.id"),
        )
    return cats


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


def _labelled(
    register: Register, outcomes: list[DatastoreOutcome], lang: str, portability: bool
) -> tuple[dict[str, Any], dict[str, list[str]], list[tuple[str, list[str], list[dict[str, Any]]]]]:
    specs = _specs(register)
    data: dict[str, Any] = {}
    seen: dict[str, list[str]] = {}
    flat: list[tuple[str, list[str], list[dict[str, Any]]]] = []
    for outcome in outcomes:
        for table, rows in sorted(outcome.rows.items()):
            spec = specs[(outcome.datastore, table)]
            if portability and not_portable(register, spec):
                continue  # not processed on consent or contract: named under "excluded"
            cats = _categories(spec)
            columns = list(rows[0]) if rows else []
            if portability:
                columns = [
                    c for c in columns if c in cats and _provided_by_subject(register, cats[c])
                ]
            labelled = []
            plain = []
            for row in rows:
                fields = {}
                flat_row = {}
                for column in columns:
                    category = cats.get(column)
                    value = _value(row[column])
                    if category and category.startswith(HIDDEN):
                        value = HIDDEN_TEXT.get(lang, HIDDEN_TEXT["en"])
                    fields[column] = {"value": value, "category": category}
                    flat_row[column] = value
                labelled.append(fields)
                plain.append(flat_row)
            for category in {cats[c] for c in columns if c in cats}:
                seen.setdefault(category, []).append(f"{outcome.datastore}.{table}")
            data.setdefault(outcome.datastore, {})[table] = labelled
            flat.append((f"{outcome.datastore}.{table}", columns, plain))
    return data, seen, flat


def _specs(register: Register) -> dict[tuple[str, str], Table]:
    return {(d.id, t.qualified_name): t for d in register.datastores for t in d.tables}


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


def _category_rows(
    register: Register, seen: dict[str, list[str]], lang: str, subject: str
) -> list[dict[str, Any]]:
    rows = []
    t = TEXT.get(lang, TEXT["en"])
    for category in sorted(seen):
        known = register.all_categories.get(category)
        name = (getattr(known, lang, None) or known.en) if known else category
        purposes = _purposes(register, category, seen[category], subject)
        recipients = dict.fromkeys(
            _name(register.recipient(r).names, lang, register.recipient(r).name)
            for p in purposes
            for r in p.recipients
        )
        retention = [
            f"{_name(p.names, lang, p.id)}: {p.retention.duration} "
            f"{t['from']} {p.retention.from_.value}"
            for p in purposes
            if p.retention
        ]
        sources = dict.fromkeys(s.value for p in purposes for s in p.sources)
        rows.append(
            {
                "id": category,
                "name": name,
                "purposes": [_name(p.names, lang, p.id) for p in purposes],
                "recipients": list(recipients),
                "retention": retention,
                "sources": list(sources),
            }
        )
    return rows


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
    lang = language if language in TEXT else "en"
    data, seen, flat = _labelled(register, outcomes, lang, portability)
    categories = _category_rows(register, seen, lang, subject or register.default_subject())
    shared = {
        f"{o.datastore}.{table}": list(range(len(o.rows[table]) - len(keys), len(o.rows[table])))
        for o in outcomes
        for table, keys in sorted(o.shared.items())
    }
    document: dict[str, Any] = {
        "reference": reference,
        "operator": register.operator.legal_name,
        "generated_at": datetime.now(UTC).isoformat(),
        "kind": "portability" if portability else "access",
        "datastores": data,
        "shared": shared,
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
        for name, columns, rows in flat:
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(f"{name}.csv", text.getvalue())
        if not portability:
            t = TEXT[lang]
            html = (
                Environment(autoescape=select_autoescape(default=True))
                .from_string(REPORT)
                .render(
                    lang=lang,
                    t=t,
                    intro=t["intro"].format(
                        operator=_name(register.operator.names, lang, register.operator.legal_name),
                        ref=reference,
                    ),
                    categories=categories,
                    tables=[
                        {"name": n, "columns": c, "rows": r, "shared": set(shared.get(n, []))}
                        for n, c, r in flat
                    ],
                )
            )
            archive.writestr("report.html", html)
    return buffer.getvalue()
