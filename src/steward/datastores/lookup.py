"""What a column's value stands for, read where the register says (``columns.<c>.lookup``).

    lookups = look_up(connection, schema, outcome.rows)   # {table: {column: {value: text}}}

For the access report: a city's name instead of ``city_id 463``. One query per looked-up
column over the distinct values the subject's rows hold, in the access run's own read-only
transaction. A value without a row in the lookup table is left out (the report shows the value
as stored).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from steward.datastores.connect import Schema

MAX_VALUES = 5_000  # per column: a subject's rows never hold more distinct keys than this


def look_up(
    connection: sa.Connection, schema: Schema, rows: dict[str, list[dict[str, Any]]]
) -> dict[str, dict[str, dict[Any, str]]]:
    found: dict[str, dict[str, dict[Any, str]]] = {}
    for table, table_rows in sorted(rows.items()):
        info = schema.tables.get(table)
        if info is None or info.spec is None or not table_rows:
            continue
        for column, spec in sorted(info.spec.columns.items()):
            lookup = spec.lookup
            if lookup is None or column not in table_rows[0]:
                continue
            values = sorted({r[column] for r in table_rows if r[column] is not None}, key=repr)[
                :MAX_VALUES
            ]
            if not values:
                continue
            target = sa.table(
                lookup.table, sa.column(lookup.key), sa.column(lookup.value), schema=lookup.schema_
            )
            query = sa.select(target.c[lookup.key], target.c[lookup.value]).where(
                target.c[lookup.key].in_(values)
            )
            texts = {key: str(text) for key, text in connection.execute(query) if text is not None}
            if texts:
                found.setdefault(table, {})[column] = texts
    return found
