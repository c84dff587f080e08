"""The Celery side: one generic task that runs a registered job, acknowledged after it ends.

``task_acks_late`` and ``task_reject_on_worker_lost`` give a job back to the broker when its
worker dies; the broker's visibility timeout equals the job lease (``STEWARD_JOB_LEASE_SECONDS``),
so a message whose worker vanished is delivered again about when the store lets another worker
claim the run. Each worker also re-enqueues, every half lease, runs the store says are stale.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery
from celery.signals import worker_ready

from steward.config import get_settings

log = logging.getLogger("steward.jobs")


def make_celery(broker_url: str) -> Celery:
    lease = get_settings().job_lease_seconds
    app = Celery("steward", broker=broker_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_transport_options={"visibility_timeout": lease},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )

    @app.task(name="steward.run_job", bind=True, max_retries=5)
    def run_job(self: Any, name: str, payload: dict[str, Any]) -> None:
        from steward.jobs.registry import call

        try:
            call(name, payload)
        except Exception as exc:
            if getattr(exc, "retryable", False):
                raise self.retry(
                    exc=exc, countdown=min(2 ** (self.request.retries + 1), 60)
                ) from exc
            raise

    return app


@worker_ready.connect
def _on_ready(**_kwargs: Any) -> None:
    from steward.jobs.registry import start_recovery

    start_recovery()
