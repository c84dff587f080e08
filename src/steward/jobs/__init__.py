"""One job interface, two runners.

    @job("execution.run")
    def run_execution(run_id: int) -> None: ...

    enqueue("execution.run", run_id=7)      # in-process thread, or a Celery worker

Without ``STEWARD_BROKER_URL`` the embedded runner executes jobs in a thread of this process
(the default, ``make run``). With it, ``enqueue`` sends the job to Celery and ``steward worker``
executes it. Either way a job's state lives in Steward's store, not in the runner: jobs must be
safe to run twice and must claim their work with a lease (see ``datastores/runs.py``). Runners
never retry: work that failed waits in the store with its back-off, and the periodic
``runs.recover`` job (``builtin.py``, fired by ``scheduler.py``) hands it back.
"""

from __future__ import annotations

from steward.jobs.registry import enqueue, job, jobs, runner

__all__ = ["enqueue", "job", "jobs", "runner"]
