# ruff: noqa: E501  (SQL text reads better unwrapped)
"""A retention sweep beside a hand-written batched DELETE, in the same run, on PostgreSQL.

    .venv/bin/python bench/retention.py --rows 10000000 --expired 1000000 --batch 5000

Builds four identical tables of ``--rows`` call recordings, ``--expired`` of them past their three
months (server-side, by generate_series), then times, in the order hand/Steward/Steward/hand,
Steward's sweep on two and a keyset-batched ``DELETE ... WHERE id = ANY(ARRAY(SELECT id
... AND id > last ORDER BY id LIMIT batch)) RETURNING id`` on the other two, each batch its own
transaction, while a writer inserts into the
table being swept and records how long each of its writes waited. Prints the times, their ratio
and the longest wait beside the longest batch.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from steward.register import load_register  # noqa: E402
from steward.retention import service  # noqa: E402
from steward.store.db import make_engine, session_factory, upgrade  # noqa: E402

REGISTER = """
steward: 1
operator:
  id: bench
  legal_name: Bench LLC
  names: {en: Bench}
  country: RU
  contacts: {privacy_email: privacy@bench.example, postal_address: "Moscow"}
  jurisdictions: [ru-152fz]
  languages: [en]
subjects: [{id: customer, names: {en: customers}}]
purposes:
  - {id: support, names: {en: Support}, descriptions: {en: Calls}, basis: contract,
     categories: [contact.phone], subjects: [customer], retention: {duration: P3M}}
datastores:
  - id: telephony
    kind: postgresql
    connection: {env: BENCH_RETENTION_URL}
    location: RU
    tables:
      - name: TABLE
        identity: {phone: phone}
        columns: {phone: contact.phone}
        retention: {column: recorded_at, duration: P3M, action: delete}
        purposes: [support]
"""
NOTES = """      - name: TABLE_notes
        columns: {body: contact.phone}
        references:
          - {columns: call_id, table: TABLE, to_columns: id}
        purposes: [support]
"""


def build(engine: sa.Engine, table: str, rows: int, expired: int, children: bool) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}_notes, {table}"))
        connection.execute(
            sa.text(
                f"CREATE TABLE {table} (id bigint NOT NULL, phone text, recorded_at date NOT NULL)"
            )
        )
        connection.execute(
            sa.text(
                f"INSERT INTO {table} SELECT g, '+7912' || lpad(g::text, 7, '0'), "
                f"CASE WHEN g % {max(rows // expired, 1)} = 0 THEN CURRENT_DATE - 400 ELSE CURRENT_DATE - 10 END "
                f"FROM generate_series(1, {rows}) g"
            )
        )
        # keys and indexes after the rows, as a bulk load would: built in one pass, server-side
        connection.execute(sa.text(f"ALTER TABLE {table} ADD PRIMARY KEY (id)"))
        connection.execute(sa.text(f"CREATE INDEX ON {table} (recorded_at)"))
        connection.execute(sa.text(f"ANALYZE {table}"))
        if children:  # one note per call, referring to it by a foreign key
            connection.execute(
                sa.text(
                    f"CREATE TABLE {table}_notes AS SELECT g AS id, g AS call_id, 'note' AS body "
                    f"FROM generate_series(1, {rows}) g"
                )
            )
            connection.execute(sa.text(f"ALTER TABLE {table}_notes ADD PRIMARY KEY (id)"))
            connection.execute(
                sa.text(
                    f"ALTER TABLE {table}_notes ADD FOREIGN KEY (call_id) REFERENCES {table} (id)"
                )
            )
            connection.execute(sa.text(f"CREATE INDEX ON {table}_notes (call_id)"))
            connection.execute(sa.text(f"ANALYZE {table}_notes"))


def writer(url: str, table: str, every: int, rows: int, ready: Any, stop: Any, waits: Any) -> None:
    """In its own process (so the sweep's Python never holds it up): each write touches an
    expired row the sweep may be deleting, and inserts a new one; records each write's time."""
    engine = sa.create_engine(url)
    rng = random.Random(7)
    with engine.begin() as connection:  # connect before timing anything
        connection.execute(sa.text("SELECT 1"))
    ready.set()
    n = 0
    while not stop.is_set():
        n += 1
        started = time.perf_counter()
        with engine.begin() as connection:
            connection.execute(
                sa.text(f"UPDATE {table} SET phone = phone WHERE id = :id"),
                {"id": rng.randrange(1, rows // every + 1) * every},
            )
            connection.execute(
                sa.text(f"INSERT INTO {table} VALUES (:i, '+79120000000', CURRENT_DATE)"),
                {"i": 10**12 + n},
            )
        waits.append(time.perf_counter() - started)
        time.sleep(0.01)
    engine.dispose()


@contextmanager
def concurrent_writer(
    url: str, table: str, every: int, rows: int, waits: list[float]
) -> Iterator[None]:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        ready, stop, shared = manager.Event(), manager.Event(), manager.list()
        process = context.Process(
            target=writer, args=(url, table, every, rows, ready, stop, shared)
        )
        process.start()
        ready.wait(60)  # started and connected
        try:
            yield
        finally:
            stop.set()
            process.join()
            waits.extend(shared)


def hand_written(
    engine: sa.Engine, table: str, batch: int, children: bool
) -> tuple[float, int, float]:
    """The strongest simple SQL: keyset batches, each its own transaction, one statement each
    (with children: the batch's keys, its notes, then the calls: three statements).

    Returns the seconds it took, its batches and the longest batch."""
    started = time.perf_counter()
    last, batches, longest = 0, 0, 0.0
    statement = sa.text(
        f"DELETE FROM {table} WHERE id = ANY(ARRAY(SELECT id FROM {table} WHERE recorded_at < CURRENT_DATE - 92 AND id > :last ORDER BY id LIMIT {batch})) RETURNING id"
    )
    keys = sa.text(
        f"SELECT id FROM {table} WHERE recorded_at < CURRENT_DATE - 92 AND id > :last ORDER BY id LIMIT {batch}"
    )
    notes = sa.text(f"DELETE FROM {table}_notes WHERE call_id = ANY(:ids)")
    calls = sa.text(f"DELETE FROM {table} WHERE id = ANY(:ids)")
    while True:
        begun = time.perf_counter()
        with engine.begin() as connection:
            if children:
                ids = connection.execute(keys, {"last": last}).scalars().all()
                if ids:
                    connection.execute(notes, {"ids": list(ids)})
                    connection.execute(calls, {"ids": list(ids)})
            else:
                ids = connection.execute(statement, {"last": last}).scalars().all()
        if not ids:
            return time.perf_counter() - started, batches, longest
        batches += 1
        longest = max(longest, time.perf_counter() - begun)
        last = max(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "STEWARD_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--expired", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument(
        "--children",
        action="store_true",
        help="give each call a note referring to it (the sweep's general path: keys, children, "
        "parents per batch)",
    )
    args = parser.parse_args()
    base = args.postgres.rsplit("/", 1)[0]
    name = "steward_bench_retention"
    admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = f"{base}/{name}"
    engine = sa.create_engine(url)
    every = max(args.rows // args.expired, 1)
    # four identical tables, swept in the order hand, Steward, Steward, hand (ABBA), so that
    # neither side gains from going first (cold caches) or last (a warmer machine)
    order = ["sql_1", "steward_1", "steward_2", "sql_2"]
    begun = time.perf_counter()
    for side in order:
        build(engine, f"calls_{side}", args.rows, args.expired, args.children)
    print(
        f"built {len(order)} x {args.rows:,} rows server-side in "
        f"{time.perf_counter() - begun:.0f} s",
        flush=True,
    )
    os.environ["BENCH_RETENTION_URL"] = url
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = make_engine(f"sqlite:///{tmp}/store.db")
        upgrade(store)
        factory = session_factory(store)
        for side in order:
            table = f"calls_{side}"
            waits: list[float] = []  # each side has the same writer on the table it deletes from
            with concurrent_writer(url, table, every, args.rows, waits):
                if side.startswith("sql"):
                    seconds, batches, longest = hand_written(
                        engine, table, args.batch, args.children
                    )
                    destroyed = args.expired
                else:
                    path = Path(tmp) / f"{side}.yaml"
                    text = REGISTER + (NOTES if args.children else "")
                    path.write_text(text.replace("TABLE", table))
                    register = load_register(path)
                    started = time.perf_counter()
                    run = service.sweep(factory, register, trigger="bench", batch=args.batch)
                    seconds = time.perf_counter() - started
                    swept = json.loads(run.result)["datastores"]["telephony"]["tables"][0]
                    batches, longest = swept["batches"], swept["longest_batch_seconds"]
                    destroyed = swept["destroyed"] + sum(swept["children"].values())
            results[side] = {
                "seconds": seconds,
                "batches": batches,
                "longest": longest,
                "wait": max(waits, default=0.0),
                "writes": len(waits),
                "destroyed": destroyed,
            }
            print(f"{side}: {results[side]}", flush=True)
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}"'))
    with_notes = ", each with a note referring to it" if args.children else ""
    print(f"\n{args.rows:,} rows{with_notes}, {args.expired:,} expired, batches of {args.batch:,}")
    print(
        f"{'run (in this order)':<28} {'seconds':>8} {'batches':>8} {'longest batch':>14} "
        f"{'writer longest wait':>20} {'writes':>7}"
    )
    for side in order:
        r = results[side]
        label = ("hand-written DELETE " if side.startswith("sql") else "steward sweep ") + side[-1]
        print(
            f"{label:<28} {r['seconds']:>8.2f} {int(r['batches']):>8} {r['longest']:>13.3f}s "
            f"{r['wait']:>19.3f}s {int(r['writes']):>7}"
        )
    sql = results["sql_1"]["seconds"] + results["sql_2"]["seconds"]
    steward = results["steward_1"]["seconds"] + results["steward_2"]["seconds"]
    print(f"ratio steward / hand-written (sums of the pairs): {steward / sql:.2f} (target <= 1.25)")
    for side in ("steward_1", "steward_2"):
        r = results[side]
        verdict = "met" if r["wait"] <= r["longest"] else "NOT met"
        print(
            f"{side}: writer's longest wait {r['wait']:.3f} s vs its longest batch "
            f"{r['longest']:.3f} s: {verdict}"
        )


if __name__ == "__main__":
    main()
