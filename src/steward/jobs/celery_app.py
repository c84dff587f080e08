"""The Celery side: one generic task that runs a registered job, acknowledged after it ends.

``task_acks_late`` and ``task_reject_on_worker_lost`` give a job back to the broker when its
worker dies; the broker's visibility timeout equals the job lease (``STEWARD_JOB_LEASE_SECONDS``),
so a message whose worker vanished is delivered again about when the store lets another worker
claim the run. Celery never retries a job: a run that failed waits in the store with its
back-off and the scheduler's stale-run recovery hands it back (one owner of retries).
Jobs go to the queue ``STEWARD_JOB_QUEUE``, so two Stewards can share one broker.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery

from steward.config import get_settings

log = logging.getLogger("steward.jobs")


def make_celery(broker_url: str) -> Celery:
    settings = get_settings()
    app = Celery("steward", broker=broker_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=settings.job_queue,
        broker_transport_options={"visibility_timeout": settings.job_lease_seconds},
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        # an unreachable broker fails the enqueue quickly; the run waits in the store
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        worker_hijack_root_logger=False,
    )

    @app.task(name="steward.run_job")  # type: ignore[untyped-decorator]
    def run_job(name: str, payload: dict[str, Any]) -> None:
        from steward.jobs.registry import call

        call(name, payload)

    return app
