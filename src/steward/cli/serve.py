"""``steward serve``: the web server."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the Privacy Center, the admin app and the API."""
    import uvicorn

    from steward.config import get_settings
    from steward.jobs import start_recovery
    from steward.web.app import create_app

    if not get_settings().broker_url:
        start_recovery()  # embedded jobs: resume requests a previous run of the server left
    uvicorn.run(create_app(), host=host, port=port, log_level="info", access_log=False)
