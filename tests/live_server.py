"""A real `steward serve` process on a free loopback port, for tests that need its memory or
its sockets (body caps, slow uploads): nothing in it is shared with the test process.

    with steward_server(tmp_path, body_timeout_seconds="2") as server:
        server.url, server.pid, server.peak_rss(), server.token   # a token with every scope
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from steward.accounts.tokens import SCOPES, create_token
from steward.store.db import make_engine, session_factory, transaction, upgrade

from .conftest import EXAMPLES


@dataclass
class LiveServer:
    url: str
    port: int
    pid: int
    token: str

    def rss_kib(self, field: str = "VmRSS") -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise AssertionError(f"no {field} for process {self.pid}")

    def peak_rss(self) -> int:
        """The most memory the server process has held so far (KiB)."""
        return self.rss_kib("VmHWM")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# a wait, not a timing: a start-up takes 1 s idle and ~30 s on a loaded 2-core machine
STARTUP_SECONDS = 120


@contextmanager
def steward_server(tmp_path: Path, **env: str) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        token, _ = create_token(session, "live backend", SCOPES, created_by=None)
    engine.dispose()
    port = _free_port()
    environment = {
        **os.environ,
        "STEWARD_DEV": "1",
        "STEWARD_DATABASE_URL": url,
        "STEWARD_REGISTER_PATH": str(EXAMPLES / "demo" / "register.yaml"),
        "STEWARD_RATE_LIMIT_PER_MINUTE": "100000",
        **{f"STEWARD_{k.upper()}": v for k, v in env.items()},
    }
    environment.pop("STEWARD_BROKER_URL", None)
    steward = Path(sys.executable).with_name("steward")
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [str(steward), "serve", "--no-scheduler", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    "steward serve exited: " + (tmp_path / "server.log").read_text()[-2000:]
                )
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"steward serve gave no /healthz in {STARTUP_SECONDS} s")
            time.sleep(0.1)
        yield LiveServer(base, port, process.pid, token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
