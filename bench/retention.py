# ruff: noqa: E501  (SQL text reads better unwrapped)
"""A retention sweep beside a hand-written batched DELETE, in the same run, on PostgreSQL.

    .venv/bin/python bench/retention.py --rows 10000000 --expired 1000000 --batch 5000

Builds two identical tables of ``--rows`` call recordings, ``--expired`` of them past their three
months, then times Steward's sweep on one and a keyset-batched ``DELETE ... WHERE id = ANY(ARRAY(SELECT id
... AND id > last ORDER BY id LIMIT batch)) RETURNING id`` on the other, each batch its own
transaction, while a writer inserts into the
table being swept and records how long each of its writes waited. Prints the times, their ratio
and the longest wait beside the longest batch.
"""

from __future__ import annotations

import argparse
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


def build(engine: sa.Engine, table: str, rows: int, expired: int) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
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


def writer(url: str, table: str, every: int, rows: int, stop: Any, waits: Any) -> None:
    """In its own process (so the sweep's Python never holds it up): each write touches an
    expired row the sweep may be deleting, and inserts a new one; records each write's time."""
    engine = sa.create_engine(url)
    rng = random.Random(7)
    with engine.begin() as connection:  # connect before timing anything
        connection.execute(sa.text("SELECT 1"))
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
        stop, shared = manager.Event(), manager.list()
        process = context.Process(target=writer, args=(url, table, every, rows, stop, shared))
        process.start()
        time.sleep(1.0)  # let it start and connect
        try:
            yield
        finally:
            stop.set()
            process.join()
            waits.extend(shared)


def hand_written(engine: sa.Engine, table: str, batch: int) -> tuple[float, int, float]:
    """The strongest simple SQL: keyset batches, each its own transaction, one statement each.

    Returns the seconds it took, its batches and the longest batch."""
    started = time.perf_counter()
    last, batches, longest = 0, 0, 0.0
    statement = sa.text(
        f"DELETE FROM {table} WHERE id = ANY(ARRAY(SELECT id FROM {table} WHERE recorded_at < CURRENT_DATE - 92 AND id > :last ORDER BY id LIMIT {batch})) RETURNING id"
    )
    while True:
        begun = time.perf_counter()
        with engine.begin() as connection:
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
    begun = time.perf_counter()
    build(engine, "calls_steward", args.rows, args.expired)
    build(engine, "calls_sql", args.rows, args.expired)
    print(
        f"built 2 x {args.rows:,} rows server-side in {time.perf_counter() - begun:.0f} s",
        flush=True,
    )
    os.environ["BENCH_RETENTION_URL"] = url
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "register.yaml"
        path.write_text(REGISTER.replace("TABLE", "calls_steward"))
        register = load_register(path)
        store = make_engine(f"sqlite:///{tmp}/store.db")
        upgrade(store)
        factory = session_factory(store)
        # the hand-written DELETE goes first: a table's first pass pays for cold caches; each
        # side has the same concurrent writer on the table it is deleting from
        sql_waits: list[float] = []
        with concurrent_writer(url, "calls_sql", every, args.rows, sql_waits):
            sql_seconds, sql_batches, sql_longest = hand_written(engine, "calls_sql", args.batch)
        waits: list[float] = []
        with concurrent_writer(url, "calls_steward", every, args.rows, waits):
            started = time.perf_counter()
            run = service.sweep(factory, register, trigger="bench", batch=args.batch)
            steward_seconds = time.perf_counter() - started
        import json

        swept = json.loads(run.result)["datastores"]["telephony"]["tables"][0]
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}"'))
    print(f"{args.rows:,} rows, {args.expired:,} expired, batches of {args.batch:,}")
    print(f"{'':<34} {'seconds':>9}")
    print(
        f"{'hand-written batched DELETE':<34} {sql_seconds:>9.2f}   {sql_batches} batches, longest {sql_longest:.3f} s, writer's longest wait {max(sql_waits):.3f} s"
    )
    print(
        f"{'steward retention sweep':<34} {steward_seconds:>9.2f}   ratio {steward_seconds / sql_seconds:.2f} (target <= 1.25)"
    )
    print(
        f"destroyed {swept['destroyed']:,} in {swept['batches']} batches; longest batch {swept['longest_batch_seconds']:.3f} s"
    )
    print(
        f"concurrent writer: {len(waits)} writes, longest wait {max(waits):.3f} s (target <= longest batch)"
    )


if __name__ == "__main__":
    main()
