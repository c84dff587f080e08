"""Memory of a real `steward serve` while clients post huge bodies.

    .venv/bin/python bench/body_caps.py [--posts 4] [--mib 200]

Starts the server as a process on a fresh SQLite store, then sends ``--posts`` POSTs of
``--mib`` MiB each to /api/v1/consents/events with a valid token, over raw sockets, and prints
the server's peak resident memory (VmHWM) after each, against its peak before the first (the
baseline measured in the same run). To see the code before body caps, run it with
``PYTHONPATH`` pointing at an older ``src``.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live_server import steward_server

MIB = 1024 * 1024


def _post(port: int, token: str, size: int) -> tuple[str, int]:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(
            (
                "POST /api/v1/consents/events HTTP/1.1\r\nHost: bench\r\n"
                f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Length: {size}\r\n\r\n"
            ).encode()
        )
        block, sent = b"0" * MIB, 0
        try:
            while sent < size:
                sock.sendall(block)
                sent += len(block)
        except OSError:  # the server refused and closed
            pass
        try:
            status = sock.recv(64).split(b" ")[1].decode()
        except (OSError, IndexError):
            status = "closed"
    return status, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=4)
    parser.add_argument("--mib", type=int, default=200)
    args = parser.parse_args()
    with steward_server(Path(tempfile.mkdtemp(prefix="steward-bench-"))) as server:
        baseline = server.peak_rss() / 1024
        print(f"{'post':>4}  {'status':>6}  {'MiB sent':>8}  {'peak MiB':>8}  {'× baseline':>10}")
        print(f"{'-':>4}  {'':>6}  {'':>8}  {baseline:8.0f}  {1:10.2f}")
        for number in range(1, args.posts + 1):
            status, sent = _post(server.port, server.token, args.mib * MIB)
            peak = server.peak_rss() / 1024
            ratio = peak / baseline
            print(f"{number:>4}  {status:>6}  {sent / MIB:8.0f}  {peak:8.0f}  {ratio:10.2f}")


if __name__ == "__main__":
    main()
