"""``steward serve`` (the web server, with the embedded worker and scheduler) and
``steward scheduler`` (the scheduler alone, for the distributed mode)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    scheduler: Annotated[
        bool,
        typer.Option(
            help="Run the scheduler in this process too (only one process leads at a time)."
        ),
    ] = True,
) -> None:
    """Serve the Privacy Center, the admin app and the API.

    Without STEWARD_BROKER_URL, jobs (request executions, periodic jobs) run in threads of this
    process; with it, they go to `steward worker` processes.
    """
    import uvicorn

    from steward.jobs.scheduler import start_scheduler
    from steward.web.app import create_app

    app = create_app()
    if scheduler:
        start_scheduler()  # also hands back runs a previous run of the server left
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def run_scheduler(
    tick: Annotated[float, typer.Option(help="Seconds between two looks at what is due.")] = 1.0,
) -> None:
    """Fire the periodic jobs on the configured runner (leader-elected: run one or several)."""
    from steward.jobs.registry import store_sessions
    from steward.jobs.scheduler import Scheduler

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    Scheduler(store_sessions()).run(stop, tick)
