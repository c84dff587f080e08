"""List the statements one access and one erasure send, and their round trips (profiling aid).

    .venv/bin/python bench/execution_statements.py --customers 20000

Re-uses (or builds) the database ``bench/execution.py`` uses, runs one access and one erasure
with ``batch.tracing()`` and prints each statement's first words, with the statement and
round-trip counts the executor reports (on PostgreSQL one round trip carries a whole batch).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
import execution as bench

from steward.datastores.batch import tracing


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    url = bench.ensure_database(
        args.postgres, f"steward_bench_exec_{args.customers}", args.customers, False
    )
    os.environ["BENCH_SHOP_URL"] = url
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "register.yaml"
        path.write_text(bench.REGISTER, encoding="utf-8")
        register = bench.load_register(path)
        datastore = register.datastores[0]
        engine, schema = bench.connected(datastore)
        with psycopg.connect(url) as db:
            subjects = [
                r[0]
                for r in db.execute(
                    "SELECT id FROM customers WHERE email LIKE 'Customer%%' "
                    "ORDER BY random() LIMIT 2"
                )
            ]
        for kind, subject in zip(("access", "erasure"), subjects, strict=True):
            email = f"customer{subject}@example.com"
            with tracing() as statements:
                outcome = bench.run_on_datastore(
                    register,
                    datastore,
                    bench.ExecutionRequest(kind, {"email": email}, "P"),  # type: ignore[arg-type]
                    bench.Identifiers.parse({"email": email}, "RU"),
                    secret=b"k",
                    today=date.today(),
                    engine=engine,
                    schema=schema,
                )
            print(
                f"{kind}: {outcome.queries} statements in {outcome.round_trips} round trips"
                f" (then {len(statements) - outcome.queries} to verify)"
            )
            for statement in statements:
                print(f"  {statement if os.environ.get('FULL') else statement[:110]}")


if __name__ == "__main__":
    main()
