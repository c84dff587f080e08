"""The act of destruction of personal data for one sweep, and its extract from the event log.

    html = render_act(register, run, today)   # in each of the operator's languages (ru, en)
    pdf = act_pdf(html)                        # the same act printed (lib.pdf.html_to_pdf)

The act has the elements RKN Order No. 179 of 28.10.2022 asks for when personal data are
processed by automated means: the operator, the persons responsible, the categories of personal
data and of subjects, the number of records destroyed and of the subjects whose data they were
(where a table tells whose its records are: its identity columns, or an account table's key),
the information system (datastore and its location), the reason, the method and the date; the
extract from the event log lists each
table swept with its rule and counts. The act's SHA-256 goes into Steward's audit log with the
sweep, so a changed act no longer matches the chain. The PDF is printed from that stored HTML
on each download, so what is printed is what was hashed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from html import escape

from sqlalchemy.orm import Session

from steward.lib import i18n
from steward.lib.i18n import NC_, Vocabulary
from steward.lib.pdf import html_to_pdf
from steward.register import Register
from steward.retention.tables import RetentionRun

# print layout: A4, each language on its own page, tables with rules (part of the hashed HTML)
STYLE = (
    "@page{size:A4;margin:18mm}body{font-family:sans-serif;font-size:10pt}"
    "section+section{break-before:page}h1{font-size:15pt}h2{font-size:12pt}"
    "dt{font-weight:bold}dd{margin:0 0 .4em 0}table{border-collapse:collapse;width:100%}"
    "th,td{border:1px solid #888;padding:3px 5px;text-align:left;vertical-align:top}"
)

WORDS = Vocabulary(
    "destruction act",
    {
        "title": NC_("destruction act", "Act of destruction of personal data"),
        "basis": NC_(
            "destruction act",
            "152-FZ Art. 5 p.7 and Art. 21; Roskomnadzor Order No. 179 of 28.10.2022; "
            "GDPR Art. 5(1)(e)",
        ),
        "operator": NC_("destruction act", "Operator"),
        "responsible": NC_("destruction act", "Persons responsible"),
        "responsible_text": NC_(
            "destruction act",
            "Steward's automatic destruction (started by: {trigger}); person responsible for "
            "organising the processing: {dpo}",
        ),
        "date": NC_("destruction act", "Date of destruction"),
        "method": NC_("destruction act", "Method"),
        "delete": NC_("destruction act", "deletion of the records from the database"),
        "anonymise": NC_("destruction act", "anonymisation (personal values replaced)"),
        "system": NC_(
            "destruction act", "Information system (datastore) and location of the database"
        ),
        "categories": NC_("destruction act", "Categories of personal data"),
        "subjects": NC_("destruction act", "Categories of subjects"),
        "count": NC_("destruction act", "Records destroyed"),
        "subject_count": NC_("destruction act", "Subjects whose data was destroyed"),
        "subjects_told": NC_("destruction act", "by distinct identifiers in the tables {tables}"),
        "subjects_untold": NC_(
            "destruction act",
            "in {tables} a record does not tell whose it is: those are counted as records only",
        ),
        "subjects_none": NC_(
            "destruction act", "cannot be told: no table swept tells whose its records are"
        ),
        "subjects_col": NC_("destruction act", "Subjects"),
        "reason": NC_("destruction act", "Reason"),
        "reason_rule": NC_("destruction act", "retention period expired under the rule “{rule}”"),
        "reason_hold": NC_(
            "destruction act",
            "end of the period the law required ({purpose}) after the subject asked for erasure",
        ),
        "log": NC_("destruction act", "Extract from the event log"),
        "table": NC_("destruction act", "Table"),
        "held": NC_("destruction act", "kept (held)"),
        "none": NC_("destruction act", "No record was due for destruction."),
        "problems": NC_("destruction act", "Not processed (tried again at the next run)"),
    },
)
"""The act's words, English here, each other language from the catalogue (``lib/i18n``); the
Russian legal basis names 152-FZ and the RKN order only."""


def _categories(register: Register, datastore_id: str, table: str, lang: str) -> str:
    store = next((d for d in register.datastores if d.id == datastore_id), None)
    spec = (
        next((t for t in store.tables if t.name == table.split(".")[-1]), None) if store else None
    )
    if spec is None:
        return "—"
    names = []
    for column in spec.columns.values():
        label = register.category_name(column.category, lang)
        if label not in names:
            names.append(label)
    return ", ".join(names) or "—"


def _subjects(register: Register, lang: str) -> str:
    return ", ".join(s.names.get(lang) or next(iter(s.names.values())) for s in register.subjects)


def _subject_count(data: dict[str, object], w: dict[str, str]) -> str:
    """How many subjects' data went, and where it could be told (counts, never identities)."""
    found = data.get("subjects")
    if not isinstance(found, dict):
        return "—"  # a sweep recorded before subjects were counted
    told, untold = found.get("told_in") or [], found.get("not_told_in") or []
    if not told:
        return w["subjects_none"] if untold else "0"
    text = f"{found['count']} ({w['subjects_told'].format(tables=', '.join(told))}"
    if untold:
        text += "; " + w["subjects_untold"].format(tables=", ".join(untold))
    return text + ")"


def _related(ngettext: Callable[[str, str, int], str], n: int) -> str:
    return ngettext("%(num)s related record", "%(num)s related records", n) % {"num": n}


def _section(register: Register, run: RetentionRun, today: date, lang: str) -> str:
    w = WORDS[lang]
    ngettext = i18n.translator(lang).ngettext
    data = json.loads(run.result or "{}")
    contacts = register.operator.contacts
    dpo = (
        (contacts.dpo.name or str(contacts.dpo.email))
        if contacts.dpo
        else str(contacts.privacy_email)
    )
    rows = []
    methods = set()
    for datastore_id, store in data.get("datastores", {}).items():
        for table in store["tables"]:
            if not (table["destroyed"] or table["children"]):
                continue
            methods.add(table["action"])
            children = sum(table["children"].values())
            rows.append(
                f"<tr><td>{escape(datastore_id)} ({escape(store['location'])})</td>"
                f"<td>{escape(table['table'])}</td>"
                f"<td>{escape(_categories(register, datastore_id, table['table'], lang))}</td>"
                f"<td>{table['destroyed']}"
                + (" + " + _related(ngettext, children) if children else "")
                + "</td>"
                f"<td>{'—' if table.get('subjects') is None else table['subjects']}</td>"
                f"<td>{escape(w['reason_rule'].format(rule=table['rule']))}</td>"
                f"<td>{table['kept_held']} {w['held']}</td></tr>"
            )
        for released in store.get("released_holds", []):
            if not released["destroyed"]:
                continue
            methods.add("delete")
            rows.append(
                f"<tr><td>{escape(datastore_id)} ({escape(store['location'])})</td>"
                f"<td>{escape(released['table'])}</td>"
                f"<td>{escape(_categories(register, datastore_id, released['table'], lang))}</td>"
                f"<td>{released['destroyed']}</td><td>—</td>"
                f"<td>{escape(w['reason_hold'].format(purpose=', '.join(released['reason'])))}"
                f"</td><td></td></tr>"
            )
    problems = data.get("problems", {})
    method = "; ".join(w[m] for m in sorted(methods)) or "—"
    body = [
        f'<section lang="{lang}"><h1>{escape(w["title"])}</h1>',
        f"<p><small>{escape(w['basis'])}</small></p><dl>",
        f"<dt>{w['operator']}</dt><dd>{escape(register.operator.legal_name)}</dd>",
        f"<dt>{w['responsible']}</dt><dd>"
        f"{escape(w['responsible_text'].format(trigger=run.trigger, dpo=dpo))}</dd>",
        f"<dt>{w['date']}</dt><dd>{today.isoformat()}</dd>",
        f"<dt>{w['method']}</dt><dd>{escape(method)}</dd>",
        f"<dt>{w['subjects']}</dt><dd>{escape(_subjects(register, lang))}</dd>",
        f"<dt>{w['count']}</dt><dd>{run.destroyed}</dd>",
        f"<dt>{w['subject_count']}</dt><dd>{escape(_subject_count(data, w))}</dd></dl>",
        f"<h2>{w['log']}</h2>",
    ]
    if rows:
        body.append(
            f"<table><thead><tr><th>{w['system']}</th><th>{w['table']}</th>"
            f"<th>{w['categories']}</th><th>{w['count']}</th><th>{w['subjects_col']}</th>"
            f"<th>{w['reason']}</th><th></th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    else:
        body.append(f"<p>{w['none']}</p>")
    if problems:
        items = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in problems.items())
        body.append(f"<h2>{w['problems']}</h2><ul>{items}</ul>")
    body.append("</section>")
    return "".join(body)


def render_act(register: Register, run: RetentionRun, today: date) -> str:
    langs = [lang for lang in ("ru", "en") if lang in register.operator.languages] or ["en"]
    if "ru-152fz" in register.operator.jurisdictions and "ru" not in langs:
        langs.insert(0, "ru")  # an act under 152-FZ is kept in Russian
    sections = "".join(_section(register, run, today, lang) for lang in langs)
    title = WORDS[langs[0]]["title"]
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<style>{STYLE}</style><title>{escape(title)} #{run.id}</title></head>"
        f"<body>{sections}</body></html>"
    )


def stored_act(session: Session, run_id: int) -> str | None:
    """The act of sweep ``run_id`` as it was hashed into the audit log, or None."""
    run = session.get(RetentionRun, run_id)
    return run.act_html if run is not None and run.act_html else None


def act_pdf(html: str) -> bytes:
    """The act printed as PDF, from the stored (hashed) HTML."""
    return html_to_pdf(html)
