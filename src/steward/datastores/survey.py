"""What a request would get wrong on this datastore, found before any request runs.

    findings = survey(engine, schema, register)   # [Finding("error", "app.customers", "..."), ...]

``steward datastores test`` prints them after ``connect.compare``. Errors fail the command:

- a table the register names with no purpose at all (nothing says why it is kept or for how
  long, so an erasure could only guess);
- a mask the database refuses: each registered table's mask is tried on one of its rows, with
  the very statement an erasure sends, inside a transaction that is rolled back; the finding
  names the column, the constraint and the error code, never the row's values.

Warnings:

- a personal table that no identity column and no link reaches: requests never find its rows;
- a legal-obligation table with no date to count its hold from (no ``collected_at``, no
  ``retention.column``, no dated parent row it belongs to): its rows would be held without end;
- a column whose type has no default mask (it would be kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from steward.datastores.actions import linked_columns, mask_statements, personal_columns
from steward.datastores.batch import run_batch
from steward.datastores.connect import Schema, TableInfo
from steward.datastores.graph import Found, row_keys
from steward.datastores.holds import date_column, legal_purposes, purposeless
from steward.datastores.masking import unmaskable
from steward.datastores.refusals import code_of, refusal
from steward.register.models import Register
from steward.register.taxonomy import RetentionStart

# retention counted from these needs the row's own date
_DATED = (RetentionStart.COLLECTION, RetentionStart.LAST_ACTIVITY, RetentionStart.YEAR_END)


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    where: str  # datastore.table
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text}" + (" (warning)" if self.severity == "warning" else "")


def _registered(schema: Schema) -> list[TableInfo]:
    return [info for info in schema.tables.values() if info.spec is not None]


def reachable(schema: Schema) -> set[str]:
    """Tables a search can reach: seeded by identity columns, then along links as
    ``graph.find_subject`` follows them (inbound into searched tables, outbound to personal
    tables)."""
    entered = {
        info.key
        for info in _registered(schema)
        if info.spec is not None and not info.spec.reference_data
    }
    reached = {
        key for key in entered if (spec := schema.tables[key].spec) is not None and spec.identity
    }
    frontier = set(reached)
    while frontier:
        table = frontier.pop()
        nearby = [link.child for link in schema.inbound(table)]
        nearby += [link.parent for link in schema.outbound(table)]
        for other in nearby:
            if other in entered and other not in reached:
                reached.add(other)
                frontier.add(other)
    return reached


def _dated(schema: Schema, register: Register, table: str, seen: set[str]) -> bool:
    """Whether ``table``'s rows, or the rows they belong to, have a date a hold counts from."""
    info = schema.tables[table]
    if info.spec is None:
        return False
    if date_column(info.spec):
        return True
    seen.add(table)
    return any(
        link.parent not in seen
        and (parent := schema.tables.get(link.parent)) is not None
        and parent.spec is not None
        and legal_purposes(register, parent.spec)
        and _dated(schema, register, link.parent, seen)
        for link in schema.outbound(table)
    )


def _structure(schema: Schema, register: Register) -> list[Finding]:
    findings = []
    reached = reachable(schema)
    for info in _registered(schema):
        spec = info.spec
        assert spec is not None
        where = f"{schema.datastore.id}.{info.key}"
        if spec.reference_data:
            continue
        if purposeless(register, spec):
            findings.append(
                Finding(
                    "error",
                    where,
                    "has no purpose: name its `purposes:` (a table without one is neither "
                    "kept nor erased by any rule of the register)",
                )
            )
        if spec.columns and info.key not in reached:
            findings.append(
                Finding(
                    "warning",
                    where,
                    "personal table with no identity column and no link from a table that "
                    "has one: requests never find its rows; add `identity:` or `references:`",
                )
            )
        needs_date = [
            p.id
            for p in legal_purposes(register, spec)
            if p.retention is not None and p.retention.from_ in _DATED
        ]
        if needs_date and not _dated(schema, register, info.key, set()):
            findings.append(
                Finding(
                    "warning",
                    where,
                    f"legal obligation ({', '.join(needs_date)}) with no date to count the "
                    "hold from: its rows would be held with no end; name `collected_at:`",
                )
            )
        for column in personal_columns(info):
            if column in info.primary_key and not spec.columns.get(column):
                continue
            column_spec = spec.columns.get(column)
            if column_spec is not None and column_spec.mask is not None:
                continue
            reason = unmaskable(
                info.table.c[column],
                unique=column in info.unique,
                linked=column in linked_columns(schema, info.key),
            )
            if reason and "foreign key" not in reason:
                findings.append(Finding("warning", where, f"{column}: {reason}"))
    return findings


def _trial(
    engine: sa.Engine,
    schema: Schema,
    info: TableInfo,
    secret: bytes,
    only: list[str] | None = None,
) -> str | None:
    """Mask one row of ``info`` with the erasure's own statement, in a transaction that is
    rolled back; why the database refused, or None."""
    if not info.primary_key:
        return None  # matched on values: the trial would need the row's values as parameters
    with engine.connect() as connection, connection.begin() as transaction:
        rows = [dict(r) for r in connection.execute(sa.select(info.table).limit(1)).mappings()]
        if not rows:
            return None
        found = Found()
        key = row_keys(info, rows)[0]
        found.rows[info.key][key] = rows[0]
        dialect = connection.dialect.name
        linked = linked_columns(schema, info.key)
        statements = mask_statements(dialect, info, found, [key], secret, linked, only)
        try:
            run_batch(connection, statements)
        except sa.exc.DBAPIError as exc:
            return f"{code_of(exc)} at {refusal(exc)}"
        finally:
            transaction.rollback()
    return None


def survey(
    engine: sa.Engine, schema: Schema, register: Register, *, secret: bytes = b"steward-survey"
) -> list[Finding]:
    """Every finding for ``schema`` (see the module docstring); the database is left as it was."""
    findings = _structure(schema, register)
    for info in _registered(schema):
        if info.spec is None or info.spec.reference_data or not personal_columns(info):
            continue
        refused = _trial(engine, schema, info, secret)
        if refused is None:
            continue
        # which columns: each alone (a CHECK's diagnostics rarely name its column)
        alone = {c: _trial(engine, schema, info, secret, [c]) for c in personal_columns(info)}
        named = [c for c, why in alone.items() if why] or personal_columns(info)
        reason = next((why for why in alone.values() if why), refused)
        findings.append(
            Finding(
                "error",
                f"{schema.datastore.id}.{info.key}",
                f"the mask of {', '.join(named)} is refused by the database: {reason}; "
                "name a `mask:` the constraint accepts",
            )
        )
    return findings
