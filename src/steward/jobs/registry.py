"""The job registry and the runner choice (see the package docstring)."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from steward.config import get_settings

log = logging.getLogger("steward.jobs")
JobFn = Callable[..., Any]
_JOBS: dict[str, JobFn] = {}


def job(name: str) -> Callable[[JobFn], JobFn]:
    """Register ``fn`` under ``name``; its keyword arguments must be JSON values."""

    def decorate(fn: JobFn) -> JobFn:
        _JOBS[name] = fn
        return fn

    return decorate


def jobs() -> dict[str, JobFn]:
    _load_builtin()
    return dict(_JOBS)


# Every module that registers jobs; each imported on the registry's first use. A domain with
# jobs of its own adds its module here.
JOB_MODULES = (
    "steward.jobs.builtin",
    "steward.jobs.discovery",
    "steward.breaches.jobs",
    "steward.filings.jobs",
    "steward.retention.jobs",
    "steward.notify.jobs",
    "steward.requests.destructions",
    "steward.accounts.reset",
)


def _load_builtin() -> None:
    import importlib

    for module in JOB_MODULES:
        importlib.import_module(module)


def call(name: str, payload: dict[str, Any]) -> Any:
    _load_builtin()
    if name not in _JOBS:
        raise KeyError(f"no job named '{name}'; known: {sorted(_JOBS)}")
    return _JOBS[name](**payload)


_made: list[sessionmaker[Session]] = []


@functools.cache
def _sessions_for(url: str) -> sessionmaker[Session]:
    from steward.store.db import make_engine, session_factory

    factory = session_factory(make_engine(url, pre_ping=False))
    _made.append(factory)
    return factory


def store_sessions() -> sessionmaker[Session]:
    """Sessions on Steward's store for jobs, one engine per process and database URL."""
    return _sessions_for(get_settings().database_url)


class EmbeddedRunner:
    """Runs jobs in background threads of this process.

    A job is run once: retries belong to the work itself (a run that failed waits in the store
    with its back-off, and stale-run recovery hands it back), never to the runner.
    """

    def __init__(self, threads: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="steward-job")
        self._pending: set[Future[Any]] = set()
        self._guard = threading.Lock()

    def submit(self, name: str, payload: dict[str, Any]) -> Future[Any]:
        future = self._pool.submit(self._run, name, payload)
        with self._guard:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._guard:
            self._pending.discard(future)

    def join(self, timeout: float = 60.0) -> None:
        """Wait until no job is queued or running (jobs a job enqueues included)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._guard:
                pending = list(self._pending)
            if not pending:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{len(pending)} job(s) still running after {timeout} s")
            wait(pending, timeout=left)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)

    @staticmethod
    def _run(name: str, payload: dict[str, Any]) -> Any:
        try:
            return call(name, payload)
        except Exception:
            log.exception("job %s failed", name)
            raise


class CeleryRunner:
    def __init__(self, broker_url: str) -> None:
        from steward.jobs.celery_app import make_celery

        self.app = make_celery(broker_url)

    def submit(self, name: str, payload: dict[str, Any]) -> Any:
        return self.app.send_task(
            "steward.run_job", args=[name, payload], queue=get_settings().job_queue
        )


_runner: EmbeddedRunner | CeleryRunner | None = None
_lock = threading.Lock()


def runner() -> EmbeddedRunner | CeleryRunner:
    """The runner the settings choose, made once per process."""
    global _runner
    with _lock:
        if _runner is None:
            broker = get_settings().broker_url
            _runner = CeleryRunner(broker) if broker else EmbeddedRunner()
        return _runner


def reset() -> None:
    """Forget this process's runner and store engines (tests; settings changed): embedded
    jobs finish first."""
    global _runner
    with _lock:
        current, _runner = _runner, None
    if isinstance(current, EmbeddedRunner):
        current.shutdown()
    for factory in _sessions_cache():
        bind = factory.kw.get("bind")
        if bind is not None:
            bind.dispose()
    _sessions_for.cache_clear()
    _made.clear()


def _sessions_cache() -> list[sessionmaker[Session]]:
    return list(_made)


def enqueue(name: str, **payload: Any) -> Any:
    """Run job ``name`` with ``payload`` on the configured runner; returns its handle.

    Raises when the broker cannot be reached: callers keep the work in the store first.
    """
    return runner().submit(name, payload)
