"""Which table, column and constraint refused a change, from the driver's diagnostics only.

    where = refusal(exc)    # -> "table invoices, column amount, constraint amount_positive"

A database's own message may quote the row (MariaDB: ``Duplicate entry 'anna@x' for key
'email'``; a trigger's text can say anything), so it is never shown. PostgreSQL (psycopg)
reports the names in separate diagnostic fields; MariaDB/MySQL and SQLite only in the message,
from which a fixed pattern per error code takes the names and nothing else. The table of the
failing statement comes from its SQL text when the driver does not say.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

_NAME = r"[`'\"]?([^`'\"\s,()]+)[`'\"]?"

# MariaDB/MySQL error code -> patterns that capture only names (never a value)
_MYSQL: dict[int, list[tuple[str, str]]] = {
    1048: [("column", rf"^Column {_NAME} cannot be null")],
    1062: [("constraint", rf"for key {_NAME}$")],
    1264: [("column", rf"for column {_NAME} at row")],
    1265: [("column", rf"for column {_NAME} at row")],
    1366: [("column", rf"for column {_NAME} at row")],
    1406: [("column", rf"for column {_NAME} at row")],
    1451: [("constraint", rf"CONSTRAINT {_NAME} FOREIGN KEY"), ("child", r"fails \(([^)]+?),")],
    1452: [("constraint", rf"CONSTRAINT {_NAME} FOREIGN KEY"), ("child", r"fails \(([^)]+?),")],
    3819: [("constraint", rf"^Check constraint {_NAME} is violated")],
    4025: [("constraint", rf"^CONSTRAINT {_NAME} failed for"), ("table", r"failed for (\S+)$")],
}

# SQLite: "<KIND> constraint failed: <names>"
_SQLITE = re.compile(r"^(NOT NULL|UNIQUE|CHECK|FOREIGN KEY) constraint failed(?::\s*(.{1,120}))?$")
_STATEMENT_TABLE = re.compile(
    r"^\s*(?:UPDATE|DELETE\s+FROM|INSERT\s+INTO)\s+((?:\"[^\"]+\"|`[^`]+`|[\w.]+))", re.IGNORECASE
)


def _unquote(name: str) -> str:
    return name.replace("`", "").replace('"', "")


def _psycopg(orig: Any) -> dict[str, str]:
    diag = getattr(orig, "diag", None)
    if diag is None:
        return {}
    found = {
        "table": diag.table_name,
        "column": diag.column_name,
        "constraint": diag.constraint_name,
    }
    if diag.schema_name not in (None, "public") and diag.table_name:
        found["table"] = f"{diag.schema_name}.{diag.table_name}"
    return {k: v for k, v in found.items() if v}


def _mysql(orig: Any) -> dict[str, str]:
    args: tuple[Any, ...] = getattr(orig, "args", ())
    if len(args) < 2 or not isinstance(args[0], int) or not isinstance(args[1], str):
        return {}
    found = {}
    for field, pattern in _MYSQL.get(args[0], []):
        match = re.search(pattern, args[1])
        if match:
            found[field] = _unquote(match.group(1))
    if "child" in found:  # a foreign key names the referring table, the one it protects
        found["table"] = found.pop("child")
    if "table" in found:  # `database`.`table`: the database is the datastore's own
        found["table"] = found["table"].rsplit(".", 1)[-1]
    return found


def _sqlite(orig: Any) -> dict[str, str]:
    args: tuple[Any, ...] = getattr(orig, "args", ())
    match = _SQLITE.match(args[0]) if args and isinstance(args[0], str) else None
    if match is None:
        return {}
    kind, names = match.group(1), match.group(2)
    if kind in ("NOT NULL", "UNIQUE") and names:
        table, _, column = names.split(",")[0].strip().rpartition(".")
        columns = [n.strip().rpartition(".")[2] for n in names.split(",")]
        return {"table": table, "column": ", ".join(columns) if column else ""} | {
            "constraint": kind
        }
    if kind == "CHECK":
        return {"constraint": names or "CHECK"}
    return {"constraint": kind}


def refusal(exc: sa.exc.DBAPIError) -> str:
    """Where the database refused: table, column and constraint as far as it says, no data."""
    orig = exc.orig
    module = type(orig).__module__.split(".")[0]
    if module == "psycopg":
        found = _psycopg(orig)
    elif module == "pymysql" or module == "MySQLdb":
        found = _mysql(orig)
    elif module == "sqlite3":
        found = _sqlite(orig)
    else:
        found = {}
    if "table" not in found and exc.statement:
        match = _STATEMENT_TABLE.match(exc.statement)
        if match:
            found["table"] = _unquote(match.group(1))
    parts = [f"{k} {found[k]}" for k in ("table", "column", "constraint") if found.get(k)]
    return ", ".join(parts) or "the database did not say where"


def code_of(exc: sa.exc.DBAPIError) -> str:
    """The error's class and its code (SQLSTATE, MariaDB error number or SQLite error name)."""
    orig: Any = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    args: tuple[Any, ...] = getattr(orig, "args", ())
    if code is None and args and isinstance(args[0], int):
        code = args[0]
    return f"{type(orig).__name__} ({code})" if code else type(orig).__name__
