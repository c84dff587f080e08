"""Count and list the statements one access and one erasure send (profiling aid, not a timing).

    .venv/bin/python bench/execution_statements.py --customers 20000

Re-uses (or builds) the database ``bench/execution.py`` uses, hooks SQLAlchemy's
``before_cursor_execute`` on the executor's engine, and prints each statement's first words.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
import execution as bench


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
        statements: list[str] = []

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _count(*args: Any) -> None:
            statements.append(" ".join(str(args[2]).split())[:110])

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
            statements.clear()
            bench.run_on_datastore(
                register,
                datastore,
                bench.ExecutionRequest(kind, {"email": email}, "P"),  # type: ignore[arg-type]
                bench.Identifiers.parse({"email": email}, "RU"),
                secret=b"k",
                today=date.today(),
                engine=engine,
                schema=schema,
            )
            print(f"{kind}: {len(statements)} statements")
            for statement in statements:
                print(f"  {statement}")
        sa.event.remove(engine, "before_cursor_execute", _count)


if __name__ == "__main__":
    main()
