# ruff: noqa: E501  (the table lines read better unwrapped)
"""Queued erasures through two workers beside the same erasures run back to back.

    .venv/bin/python bench/queued.py --customers 100000 --queued 1000 [--rounds 5] [--threads 1]

The database of ``bench/execution.py`` (``--customers`` customers across eleven tables). Two
`steward worker` processes (Celery on Redis, PostgreSQL store) are started once and warmed up;
then, in ``--rounds`` alternating rounds, ``--queued / rounds`` subjects are erased back to back
by the executor in this process (the baseline: no store, no queue) and as many are queued as
runs and executed by the workers, each run doing all a request's run does (the claim, the plan
committed before the operator's COMMIT, the step's result, the restriction list, the summary
and the audit entry). Rounds alternate so that the machine's drifting speed weighs on both
sides alike. The ratio is the workers' requests/s over the baseline's, over all rounds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from execution import REGISTER, back_to_back, ensure_database  # noqa: E402

from steward.datastores import ExecutionRequest  # noqa: E402
from steward.register import load_register  # noqa: E402


class Workers:
    """Two `steward worker` processes on a fresh store and queue of their own."""

    def __init__(self, args: argparse.Namespace, shop_url: str, register_path: Path) -> None:
        from steward.store.db import make_engine, session_factory, transaction, upgrade
        from steward.store.registers import record_register

        admin = psycopg.connect(args.postgres, autocommit=True)
        admin.execute('DROP DATABASE IF EXISTS "steward_bench_store" WITH (FORCE)')
        admin.execute('CREATE DATABASE "steward_bench_store"')
        admin.close()
        store = args.postgres.rsplit("/", 1)[0] + "/steward_bench_store"
        self.engine = make_engine(store)
        upgrade(self.engine)
        self.sessions = session_factory(self.engine)
        self.transaction = transaction
        with transaction(self.sessions) as session:
            self.register_id = record_register(session, register_path)[1].id
        self.queue = f"steward-bench-{os.getpid()}"
        self.redis = args.redis
        env = dict(
            os.environ,
            STEWARD_DATABASE_URL=store,
            STEWARD_BROKER_URL=args.redis,
            STEWARD_JOB_QUEUE=self.queue,
            STEWARD_DEV="1",
            BENCH_SHOP_URL=shop_url,
            STEWARD_JOB_LEASE_SECONDS="600",
        )
        os.environ.update(
            STEWARD_BROKER_URL=args.redis, STEWARD_DEV="1", STEWARD_JOB_QUEUE=self.queue
        )
        from steward.config import get_settings

        get_settings.cache_clear()
        command = [str(ROOT / ".venv/bin/steward"), "worker", "--loglevel", "WARNING"]
        self.processes = [
            subprocess.Popen(
                [*command, "--concurrency", str(args.threads)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(2)
        ]
        self.batches = 0

    def erase(self, emails: list[str]) -> float:
        """Queue one run per e-mail and wait for all of them; the seconds from the enqueue of
        the first to the end of the last."""
        from steward.datastores.runs import submit
        from steward.jobs import enqueue

        self.batches += 1
        with self.transaction(self.sessions) as session:
            run_ids = [
                submit(
                    session,
                    ExecutionRequest("erasure", {"email": email}, f"B{self.batches}-{i}"),
                    register_id=self.register_id,
                ).id
                for i, email in enumerate(emails)
            ]
        started = time.perf_counter()
        for run_id in run_ids:
            enqueue("execution.run", run_id=run_id)
        with self.engine.connect() as connection:
            finished = sa.text(
                "SELECT count(*) FILTER (WHERE status = 'done'), "
                "count(*) FILTER (WHERE status = 'failed') FROM execution_runs WHERE id = ANY(:ids)"
            )
            while True:
                done, failed = connection.execute(finished, {"ids": run_ids}).one()
                connection.rollback()
                assert not failed, f"{failed} run(s) failed"
                if done == len(run_ids):
                    return time.perf_counter() - started
                time.sleep(0.01)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(30)
        import redis

        redis.Redis.from_url(self.redis).delete(self.queue)
        self.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--queued", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="jobs at once in each worker")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    url = ensure_database(
        args.postgres, f"steward_bench_exec_{args.customers}", args.customers, args.rebuild
    )
    os.environ["BENCH_SHOP_URL"] = url
    warm_up = 20
    with psycopg.connect(url) as db:
        fresh = [
            r[0]
            for r in db.execute(
                "SELECT id FROM customers WHERE email LIKE 'Customer%%' ORDER BY random() LIMIT %s",
                (2 * args.queued + warm_up,),
            )
        ]
    assert len(fresh) == 2 * args.queued + warm_up, "not enough subjects left; use --rebuild"
    mails = [f"customer{c}@example.com" for c in fresh]
    with tempfile.TemporaryDirectory() as tmp:
        register_path = Path(tmp) / "register.yaml"
        register_path.write_text(REGISTER, encoding="utf-8")
        register = load_register(register_path)
        datastore = register.datastores[0]
        workers = Workers(args, url, register_path)
        try:
            workers.erase(mails[:warm_up])  # start-up and first connections are not the queue
            size = args.queued // args.rounds
            base_s = queued_s = 0.0
            print(f"{'round':<8}{'back to back /s':>17}{'2 workers /s':>15}{'ratio':>8}")
            for r in range(args.rounds):
                start = warm_up + 2 * r * size
                base = back_to_back(register, datastore, mails[start : start + size])
                elapsed = workers.erase(mails[start + size : start + 2 * size])
                base_s += size / base
                queued_s += elapsed
                print(
                    f"{r + 1:<8}{base:>17.1f}{size / elapsed:>15.1f}{size / elapsed / base:>8.2f}"
                )
        finally:
            workers.stop()
    total = size * args.rounds
    base_rate, queued_rate = total / base_s, total / queued_s
    print(
        f"\n{args.customers:,} customers, {total} erasures each side, {args.threads} job(s) at once "
        f"per worker\n{'executor, back to back (baseline)':<40}{base_rate:>8.1f} requests/s\n"
        f"{'queued, 2 workers (Celery on Redis)':<40}{queued_rate:>8.1f} requests/s"
        f"\n{'ratio':<40}{queued_rate / base_rate:>8.2f}"
    )


if __name__ == "__main__":
    main()
