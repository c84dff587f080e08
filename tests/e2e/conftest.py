"""Browser tests: a real uvicorn server in a thread and Debian's Chromium driven by Playwright.

    def test_x(serve, page):
        base = serve(create_app(settings))      # starts the app, returns its base URL
        page.goto(base + "/healthz")

Chromium is the system package (scripts/ensure-system.sh installs it); Playwright's own browser
download is never used. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test runner owns signals
        pass


@pytest.fixture
def serve() -> Iterator[Callable[..., str]]:
    """Start ASGI apps on free loopback ports; each is stopped at teardown."""
    running: list[tuple[_Server, threading.Thread]] = []

    def start(app: object) -> str:
        port = _free_port()
        server = _Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                pytest.fail("the test server did not start within 15 s", pytrace=False)
            time.sleep(0.02)
        running.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("STEWARD_CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail(
            "Chromium is not installed; run scripts/ensure-system.sh (Debian package 'chromium')",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    def take(page: Page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=True)
        return target

    return take
