"""Scan the register's datastores: sample every table, classify every column, report findings.

    report = scan_register(register, datastore="web", progress=bar.advance)
    report.findings, report.columns, report.problems

``datastores/`` does the reading (``sampling.sample_table``); this module never opens a
connection itself. A datastore that cannot be reached is a problem of the report, and the
scan goes on with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from steward.datastores.connect import datastore_engine, reflect
from steward.datastores.errors import DatastoreError
from steward.datastores.sampling import sample_table
from steward.discovery.columns import ColumnResult, classify_column
from steward.discovery.findings import ERROR, Finding, column_findings, declared_categories
from steward.discovery.scanner import Scanner
from steward.register.models import Datastore, Register

if TYPE_CHECKING:
    from steward.discovery.names import NamesTier

SAMPLE_ROWS = 1000


@dataclass
class ScannedColumn:
    datastore: str
    table: str
    result: ColumnResult
    declared: str | None

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "datastore": self.datastore,
            "table": self.table,
            "column": r.name,
            "declared": self.declared,
            "mode": r.mode,
            "sampled": r.sampled,
            "non_empty": r.non_empty,
            "name_suggests": r.name_category,
            "categories": r.categories,
            "in_text": r.in_text,
            "sparse": r.sparse,
            "validated": {k: {"rows": n, "distinct": d} for k, (n, d) in r.content.items()},
            "notes": r.notes,
            "names_tier_values": r.names_checked,
        }


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    columns: list[ScannedColumn] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be scanned, and why
    scanned: list[str] = field(default_factory=list)  # datastores (and files) scanned

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    def as_dict(self) -> dict[str, Any]:
        return {
            "scanned": self.scanned,
            "problems": self.problems,
            "findings": [f.as_dict() for f in self.findings],
            "columns": [c.as_dict() for c in self.columns],
        }


def phone_regions(register: Register) -> tuple[str, ...]:
    """Regions a national phone number is read in: the operator's country, then the
    datastores' locations (an international number with '+' needs none)."""
    regions = [register.operator.country, *(d.location for d in register.datastores)]
    return tuple(dict.fromkeys(regions))


def scanner_for(register: Register) -> Scanner:
    return Scanner(phone_regions(register))


def scan_datastore(
    register: Register,
    datastore: Datastore,
    scanner: Scanner,
    report: Report,
    *,
    rows: int = SAMPLE_ROWS,
    progress: Callable[[str], None] | None = None,
    names: NamesTier | None = None,
) -> None:
    """Sample and classify every table of ``datastore`` (declared or not) into ``report``;
    ``names``: the optional names tier (``names.names_tier()``), or None."""
    try:
        engine = datastore_engine(datastore)
    except DatastoreError as exc:
        report.problems.append(str(exc))
        return
    try:
        schema = reflect(engine, datastore)
        report.scanned.append(datastore.id)
        for key in sorted(schema.tables):
            info = schema.tables[key]
            if progress:
                progress(f"{datastore.id}.{key}")
            try:
                sample = sample_table(engine, info, rows)
            except DatastoreError as exc:
                report.problems.append(f"{datastore.id}: {exc}")
                continue
            declared = declared_categories(info.spec)
            for name, values in sample.columns.items():
                result = classify_column(name, values, scanner, names)
                report.columns.append(ScannedColumn(datastore.id, key, result, declared.get(name)))
                report.findings.extend(
                    column_findings(register, datastore.id, key, result, declared.get(name))
                )
            for name, why in sample.skipped.items():
                result = ColumnResult(name=name, mode="skipped", notes=[why])
                report.columns.append(ScannedColumn(datastore.id, key, result, declared.get(name)))
    except DatastoreError as exc:
        report.problems.append(str(exc))
    finally:
        engine.dispose()


def scan_register(
    register: Register,
    *,
    datastores: Iterable[str] | None = None,
    rows: int = SAMPLE_ROWS,
    progress: Callable[[str], None] | None = None,
    names: NamesTier | None = None,
) -> Report:
    """Scan the register's datastores (all, or those named) and return the report."""
    wanted = set(datastores) if datastores is not None else None
    report = Report()
    scanner = scanner_for(register)
    for datastore in register.datastores:
        if wanted is None or datastore.id in wanted:
            scan_datastore(
                register, datastore, scanner, report, rows=rows, progress=progress, names=names
            )
    return report


def tables_of(register: Register, datastores: Iterable[str] | None = None) -> int:
    """How many tables the register declares in those datastores (for a progress bar's total:
    the real count is known only once each database is reflected)."""
    wanted = set(datastores) if datastores is not None else None
    return sum(len(d.tables) for d in register.datastores if wanted is None or d.id in wanted)
