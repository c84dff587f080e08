"""Scan files: CSV (columns, like a table), JSON Lines (each key path a column), plain text.

    scan_file(register, Path("mailbox-export.txt"), scanner, report)

Files are read line by line, never whole. A line that is not UTF-8 is decoded with
replacement characters and noted; a line longer than ``MAX_LINE`` bytes is truncated and noted;
a file with NUL bytes near its start is binary and skipped with a note. CSV and JSON Lines
columns are sampled uniformly (reservoir sampling) to ``rows`` values, as tables are.
"""

from __future__ import annotations

import csv
import json
import random
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from steward.discovery.columns import classify_column
from steward.discovery.findings import ERROR, WARNING, Finding, column_findings
from steward.discovery.scan import Report, ScannedColumn
from steward.discovery.scanner import Scanner
from steward.register.models import Register, within
from steward.register.taxonomy import Sensitivity, category_sensitivity

if TYPE_CHECKING:
    from steward.discovery.names import NamesTier

MAX_LINE = 1024 * 1024
BLOCK = 1024 * 1024  # bytes of text scanned per pass
MAX_NOTES = 10
MAX_KEYS = 500  # JSON key paths followed per file


class _Lines:
    """Decoded lines of a file, with what had to be repaired noted (at most MAX_NOTES)."""

    def __init__(self, path: Path, report: Report) -> None:
        self.path = path
        self.report = report
        self.notes = 0
        self.number = 0

    def note(self, text: str) -> None:
        if self.notes < MAX_NOTES:
            self.report.problems.append(f"{self.path}:{self.number}: {text}")
        self.notes += 1

    def __iter__(self) -> Iterator[str]:
        with open(self.path, "rb") as handle:
            while True:
                raw = handle.readline(MAX_LINE + 1)
                if not raw:
                    return
                self.number += 1
                if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                    self.note(f"line longer than {MAX_LINE} bytes; scanned its start only")
                    while True:  # skip the rest of the line
                        rest = handle.readline(MAX_LINE)
                        if not rest or rest.endswith(b"\n"):
                            break
                    raw = raw[:MAX_LINE] + b"\n"
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self.note(
                        f"invalid UTF-8 at byte {exc.start + 1} of the line; "
                        "scanned with the bad bytes replaced"
                    )
                    yield raw.decode("utf-8", "replace")


def _binary(path: Path) -> bool:
    with open(path, "rb") as handle:
        return b"\x00" in handle.read(8192)


def scan_file(
    register: Register,
    path: Path,
    scanner: Scanner,
    report: Report,
    *,
    rows: int = 1000,
    names: NamesTier | None = None,
) -> None:
    """Scan one file into ``report``; what cannot be read is a problem, never a crash.
    ``names``: the optional names tier (CSV and JSON Lines columns, and each line of text)."""
    try:
        if _binary(path):
            report.problems.append(f"{path}: binary file (NUL bytes); skipped")
            return
        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv"):
            delimiter = "\t" if suffix == ".tsv" else ","
            _scan_csv(register, path, scanner, report, rows, delimiter, names)
        elif suffix in (".jsonl", ".ndjson"):
            _scan_jsonl(register, path, scanner, report, rows, names)
        else:
            _scan_text(register, path, scanner, report, names)
        report.scanned.append(str(path))
    except OSError as exc:
        report.problems.append(f"{path}: cannot read: {exc.strerror}")


class _Reservoir:
    """A uniform sample of ``size`` items from a stream of unknown length (Algorithm R)."""

    def __init__(self, size: int, rng: random.Random) -> None:
        self.size, self.rng, self.seen, self.items = size, rng, 0, []  # type: ignore[var-annotated]

    def offer(self, item: Any) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
        else:
            slot = self.rng.randrange(self.seen)
            if slot < self.size:
                self.items[slot] = item


def _columns_into(
    register: Register,
    path: Path,
    columns: dict[str, list[Any]],
    scanner: Scanner,
    report: Report,
    names: NamesTier | None,
) -> None:
    for name, values in columns.items():
        result = classify_column(name, values, scanner, names)
        report.columns.append(ScannedColumn("file", str(path), result, None))
        report.findings.extend(column_findings(register, "file", str(path), result, None))


def _scan_csv(
    register: Register,
    path: Path,
    scanner: Scanner,
    report: Report,
    rows: int,
    delimiter: str,
    names: NamesTier | None,
) -> None:
    lines = _Lines(path, report)
    csv.field_size_limit(MAX_LINE)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        report.problems.append(f"{path}:1: not CSV ({exc}); scanned as text")
        _scan_text(register, path, scanner, report, names)
        return
    if header is None:
        return
    sample = _Reservoir(rows, random.Random())
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            lines.note(f"{exc}; row skipped")
            continue
        sample.offer(row)
    headers = [h.strip() or f"column {i + 1}" for i, h in enumerate(header)]
    columns = {
        name: [row[i] if i < len(row) else None for row in sample.items]
        for i, name in enumerate(headers)
    }
    _columns_into(register, path, columns, scanner, report, names)


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for item in value:
            _flatten(item, f"{prefix}[]", out)
    elif value is not None and not isinstance(value, bool):
        out.setdefault(prefix or "(value)", str(value))


def _scan_jsonl(
    register: Register,
    path: Path,
    scanner: Scanner,
    report: Report,
    rows: int,
    names: NamesTier | None,
) -> None:
    lines = _Lines(path, report)
    sample = _Reservoir(rows, random.Random())
    keys: dict[str, None] = {}
    for line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            lines.note("not a JSON value; its text scanned as column '(text)'")
            record = {"(text)": line}
        flat: dict[str, Any] = {}
        _flatten(record, "", flat)
        for key in flat:
            if key not in keys and len(keys) < MAX_KEYS:
                keys[key] = None
        sample.offer(flat)
    columns = {key: [item.get(key) for item in sample.items] for key in keys}
    _columns_into(register, path, columns, scanner, report, names)


def _scan_text(
    register: Register, path: Path, scanner: Scanner, report: Report, names: NamesTier | None
) -> None:
    found: dict[str, list[int]] = {}  # category -> [lines with it, first line]
    tier_values: dict[str, set[str]] = {}  # names tier: distinct values per category
    tier_lines: dict[str, list[int]] = {}  # ... and the lines they are on
    block: list[bytes] = []
    size = 0
    first_line = 1
    lines = _Lines(path, report)

    def flush() -> None:
        starts = [0]
        for chunk in block[:-1]:
            starts.append(starts[-1] + len(chunk))
        seen: set[tuple[str, int]] = set()
        for hit in scanner.scan(b"".join(block)):
            line = first_line + bisect_right(starts, hit.start) - 1
            if (hit.category, line) in seen:
                continue
            seen.add((hit.category, line))
            entry = found.setdefault(hit.category, [0, line])
            entry[0] += 1
        if names is not None:
            texts = [chunk.decode("utf-8", "replace") for chunk in block]
            for offset, hits in enumerate(names.find_many(texts)):
                for name_hit in hits:
                    tier_values.setdefault(name_hit.category, set()).add(name_hit.value)
                    lines_of = tier_lines.setdefault(name_hit.category, [])
                    if not lines_of or lines_of[-1] != first_line + offset:
                        lines_of.append(first_line + offset)

    for text in lines:
        encoded = text.encode("utf-8")
        block.append(encoded)
        size += len(encoded)
        if size >= BLOCK:
            flush()
            first_line, block, size = lines.number + 1, [], 0
    if block:
        flush()
    for category, values in tier_values.items():
        if len(values) >= 2:  # corroborated as in a column: two distinct names or addresses
            found[category] = [len(tier_lines[category]), tier_lines[category][0]]
    known = register.all_categories
    unsolicited = register.policy.unsolicited_categories
    for category, (count, line) in sorted(found.items()):
        label = f"{category} ({known[category].en})" if category in known else category
        evidence = {"evidence": "text", "lines_with_it": count}
        if any(within(category, u) for u in unsolicited):
            kind, level, why = "unsolicited", ERROR, ", which the policy asks people not to send"
        elif category_sensitivity(category, known) is not Sensitivity.ORDINARY:
            kind, level, why = "special", ERROR, ""
        else:
            kind, level, why = "in-file", WARNING, ""
        message = f"{path}: {count} line(s) contain {label}{why}"
        report.findings.append(
            Finding(kind, level, "file", str(path), "", category, message, evidence, line)
        )
