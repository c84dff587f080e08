"""The job registry and the runner choice (see the package docstring)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from steward.config import get_settings

log = logging.getLogger("steward.jobs")
JobFn = Callable[..., Any]
_JOBS: dict[str, JobFn] = {}
RETRIES = 5


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


class EmbeddedRunner:
    """Runs jobs in one background thread of this process, retrying retryable failures."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="steward-job")

    def submit(self, name: str, payload: dict[str, Any]) -> Future[Any]:
        return self._pool.submit(self._run, name, payload)

    @staticmethod
    def _run(name: str, payload: dict[str, Any]) -> Any:
        for attempt in range(1, RETRIES + 1):
            try:
                return call(name, payload)
            except Exception as exc:
                if not getattr(exc, "retryable", False) or attempt == RETRIES:
                    log.exception("job %s failed", name)
                    raise
                time.sleep(min(2**attempt, 30))
        return None


class CeleryRunner:
    def __init__(self, broker_url: str) -> None:
        from steward.jobs.celery_app import make_celery

        self.app = make_celery(broker_url)

    def submit(self, name: str, payload: dict[str, Any]) -> Any:
        return self.app.send_task("steward.run_job", args=[name, payload])


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


def enqueue(name: str, **payload: Any) -> Any:
    """Run job ``name`` with ``payload`` on the configured runner; returns its handle."""
    return runner().submit(name, payload)


def _recover_forever(stop: threading.Event, every: float) -> None:
    from steward.jobs.builtin import requeue_stale

    while not stop.is_set():
        try:
            count = requeue_stale()
            if count:
                log.info("re-enqueued %d stale run(s)", count)
        except Exception:
            log.exception("stale-run recovery failed; trying again later")
        stop.wait(every)


def start_recovery() -> threading.Event:
    """Re-enqueue queued and abandoned runs now and every half lease; set the event to stop.

    ``steward worker`` calls it when Celery is ready; ``steward serve`` calls it in embedded
    mode, so runs left by a crashed server resume when it starts again.
    """
    stop = threading.Event()
    every = max(get_settings().job_lease_seconds / 2, 1.0)
    threading.Thread(target=_recover_forever, args=(stop, every), daemon=True).start()
    return stop
