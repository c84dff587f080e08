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
``--profile`` starts no workers: ``process()`` in this process beside the executor alone, CPU
per erasure, then cProfile on the CPU clock. Each run uses a store database of its own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from execution import REGISTER, back_to_back, ensure_database  # noqa: E402

from steward.datastores import ExecutionRequest  # noqa: E402
from steward.register import load_register  # noqa: E402


class Store:
    """A fresh Steward store of this process's own (dropped by ``drop``), the register in it."""

    def __init__(self, args: argparse.Namespace, register_path: Path) -> None:
        from steward.store.db import make_engine, session_factory, transaction, upgrade
        from steward.store.registers import record_register

        self.server = args.postgres
        self.name = f"steward_bench_store_{os.getpid()}"  # two benchmarks at once never collide
        with psycopg.connect(self.server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}"')
        self.url = self.server.rsplit("/", 1)[0] + "/" + self.name
        self.engine = make_engine(self.url)
        upgrade(self.engine)
        self.sessions = session_factory(self.engine)
        self.transaction = transaction
        with transaction(self.sessions) as session:
            self.register_id = record_register(session, register_path)[1].id
        self.batches = 0

    def submit(self, emails: list[str]) -> list[int]:
        """One queued run per e-mail; their ids."""
        from steward.datastores.runs import submit

        self.batches += 1
        with self.transaction(self.sessions) as session:
            return [
                submit(
                    session,
                    ExecutionRequest("erasure", {"email": email}, f"B{self.batches}-{i}"),
                    register_id=self.register_id,
                ).id
                for i, email in enumerate(emails)
            ]

    def drop(self) -> None:
        self.engine.dispose()
        with psycopg.connect(self.server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Workers:
    """Two `steward worker` processes on a store and queue of their own."""

    def __init__(self, args: argparse.Namespace, shop_url: str, store: Store) -> None:
        self.store = store
        self.engine = store.engine
        store_url = store.url
        self.queue = f"steward-bench-{os.getpid()}"
        self.redis = args.redis
        env = dict(
            os.environ,
            STEWARD_DATABASE_URL=store_url,
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
        self.cpu_seconds = 0.0  # the workers' CPU over the measured rounds

    def erase(self, emails: list[str]) -> float:
        """Queue one run per e-mail and wait for all of them; the seconds from the enqueue of
        the first to the end of the last."""
        from steward.jobs import enqueue

        run_ids = self.store.submit(emails)
        cpu = self.cpu()
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
                    elapsed = time.perf_counter() - started
                    self.cpu_seconds += self.cpu() - cpu
                    return elapsed
                time.sleep(0.01)

    def cpu(self) -> float:
        """CPU seconds the workers (and the processes they started) have used so far."""
        tick = os.sysconf("SC_CLK_TCK")
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
        ours = {p.pid for p in self.processes}
        grown = True
        while grown:
            more = {pid for pid, (parent, _) in stats.items() if parent in ours} - ours
            grown = bool(more)
            ours |= more
        return sum(stats[pid][1] for pid in ours if pid in stats) / tick

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(30)
        import redis

        redis.Redis.from_url(self.redis).delete(self.queue)


def profile(args: argparse.Namespace, register: Any, store: Store, mails: list[str]) -> None:
    """``--profile``: ``process()`` of ``datastores/runs.py`` called in this process (no
    Celery) beside the executor alone, alternating in ``--rounds`` rounds of ``--queued /
    rounds`` erasures each: wall and CPU per erasure; then one more round of runs under
    cProfile on the CPU clock (the profiler's own cost inflates those times)."""
    import cProfile
    import pstats
    from datetime import timedelta

    from steward.datastores.runs import process
    from steward.store.db import make_engine, session_factory

    datastore = register.datastores[0]
    sessions = session_factory(make_engine(store.url, pre_ping=False))  # as a worker's
    lease = timedelta(minutes=10)
    size = args.queued // args.rounds
    walls = {"base": 0.0, "runs": 0.0}
    cpus = {"base": 0.0, "runs": 0.0}

    def runs(emails: list[str], profiler: cProfile.Profile | None = None) -> None:
        ids = store.submit(emails)
        wall, cpu = time.perf_counter(), time.process_time()
        for run_id in ids:
            if profiler is not None:
                profiler.enable()
            process(sessions, run_id, secret=b"bench", lease=lease)
            if profiler is not None:
                profiler.disable()
        walls["runs"] += time.perf_counter() - wall
        cpus["runs"] += time.process_time() - cpu

    runs(mails[:20])
    walls["runs"] = cpus["runs"] = 0.0
    for r in range(args.rounds):
        start = 20 + 2 * r * size
        wall, cpu = time.perf_counter(), time.process_time()
        back_to_back(register, datastore, mails[start : start + size])
        walls["base"] += time.perf_counter() - wall
        cpus["base"] += time.process_time() - cpu
        runs(mails[start + size : start + 2 * size])
    total = size * args.rounds
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {total} erasures each")
    print(f"{'':<36}{'wall ms':>9}{'CPU ms':>9}")
    for side, label in (
        ("base", "executor alone (the baseline)"),
        ("runs", "process() (no Celery)"),
    ):
        print(f"{label:<36}{1000 * walls[side] / total:>9.2f}{1000 * cpus[side] / total:>9.2f}")
    profiler = cProfile.Profile(time.process_time)
    runs(mails[20 + 2 * total :], profiler)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(r"runs\.py|audit|seals|registers|db\.py", 30)
    stats.print_callees(r"_process_claimed|_finish|process\b")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--queued", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="jobs at once in each worker")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--profile", action="store_true", help="process() in this process, profiled; no workers"
    )
    args = parser.parse_args()
    url = ensure_database(
        args.postgres, f"steward_bench_exec_{args.customers}", args.customers, args.rebuild
    )
    os.environ["BENCH_SHOP_URL"] = url
    warm_up = 20 + (args.queued // args.rounds if args.profile else 0)
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
        store = Store(args, register_path)
        if args.profile:
            try:
                return profile(args, register, store, mails)
            finally:
                store.drop()
        workers = Workers(args, url, store)
        try:
            workers.erase(mails[:warm_up])  # start-up and first connections are not the queue
            workers.cpu_seconds = 0.0
            size = args.queued // args.rounds
            base_s = queued_s = base_cpu = 0.0
            print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the start")
            print(f"{'round':<8}{'back to back /s':>17}{'2 workers /s':>15}{'ratio':>8}")
            for r in range(args.rounds):
                start = warm_up + 2 * r * size
                cpu = time.process_time()
                base = back_to_back(register, datastore, mails[start : start + size])
                base_cpu += time.process_time() - cpu
                elapsed = workers.erase(mails[start + size : start + 2 * size])
                base_s += size / base
                queued_s += elapsed
                print(
                    f"{r + 1:<8}{base:>17.1f}{size / elapsed:>15.1f}{size / elapsed / base:>8.2f}"
                )
        finally:
            workers.stop()
            store.drop()
    total = size * args.rounds
    base_rate, queued_rate = total / base_s, total / queued_s
    print(
        f"\n{args.customers:,} customers, {total} erasures each side, {args.threads} job(s) at once "
        f"per worker\n{'executor, back to back (baseline)':<40}{base_rate:>8.1f} requests/s\n"
        f"{'queued, 2 workers (Celery on Redis)':<40}{queued_rate:>8.1f} requests/s"
        f"\n{'ratio':<40}{queued_rate / base_rate:>8.2f}"
        f"\n{'CPU per erasure, executor back to back':<40}{1000 * base_cpu / total:>8.2f} ms"
        f"\n{'CPU per erasure, in the workers':<40}{1000 * workers.cpu_seconds / total:>8.2f} ms"
        f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
