"""Outbox delivery: N queued messages delivered to a local SMTP server (aiosmtpd).

    .venv/bin/python bench/outbox.py [--messages 1000] [--postgres postgresql+psycopg://...]

Steward's side queues the messages in the store and runs ``notify.delivery.deliver`` (claims
by conditional UPDATE, one connection per batch, each outcome committed, each sent message
purged to its evidence). The baseline in the same run sends the same messages with raw
``smtplib`` on one connection (``MIMEText`` + ``sendmail``), without any store.
Target: 1,000 messages in <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from email.mime.text import MIMEText
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("STEWARD_DEV", "1")  # settings read by the after-commit hook
sys.path.insert(0, str(ROOT))

from steward.lib.signing import derive  # noqa: E402
from steward.notify.delivery import deliver  # noqa: E402
from steward.notify.outbox import queue  # noqa: E402
from steward.store.db import make_engine, session_factory, transaction, upgrade  # noqa: E402

TARGET_SECONDS = 10.0


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        with self.lock:
            self.count += 1
        return "250 OK"

    def wait(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while self.count < count and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.count < count:
            raise SystemExit(f"the SMTP server received {self.count} of {count} messages")


def _message(n: int) -> tuple[str, str, str]:
    return f"subject{n}@example.com", f"Your code, request R-{n:05d}", f"Your code is {n:06d}.\n"


def baseline(port: int, count: int, counter: Counter) -> float:
    """The floor: plain smtplib, one connection, the cheapest MIME building, no store."""
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for n in range(count):
            to, subject, text = _message(n)
            email = MIMEText(text, "plain", "utf-8")
            email["From"], email["To"], email["Subject"] = "steward@localhost", to, subject
            client.sendmail("steward@localhost", [to], email.as_bytes())
    counter.wait(count)
    return time.perf_counter() - start


def steward(store_url: str, port: int, count: int, counter: Counter) -> tuple[float, float]:
    engine = make_engine(store_url)
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        for n in range(count):
            to, subject, text = _message(n)
            queue(session, to=to, subject=subject, text=text, kind="request.code")
    before = counter.count
    start = time.perf_counter()
    report = deliver(
        sessions,
        f"smtp://127.0.0.1:{port}",
        recipient_key=derive("bench", "identifiers"),
        keep_sent=timedelta(0),
    )
    counter.wait(before + count)
    elapsed = time.perf_counter() - start
    if report.sent != count:
        raise SystemExit(f"Steward sent {report.sent} of {count}: {report}")
    engine.dispose()
    return elapsed, count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--postgres", default=None, help="also measure on this PostgreSQL server")
    args = parser.parse_args()
    counter = Counter()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    rows: list[tuple[str, float]] = []
    try:
        baseline(port, 50, counter)  # warm-up: the first connection and messages cost more
        counter.count = 0
        raw = baseline(port, args.messages, counter)
        rows.append(("raw smtplib, one connection (baseline)", raw))
        with tempfile.TemporaryDirectory() as folder:
            took, _ = steward(f"sqlite:///{folder}/bench.db", port, args.messages, counter)
            rows.append(("Steward deliver(), SQLite store", took))
        if args.postgres:
            server = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            name = f"steward_bench_{uuid.uuid4().hex[:8]}"
            with server.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            try:
                url = server.url.set(database=name).render_as_string(hide_password=False)
                took, _ = steward(url, port, args.messages, counter)
                rows.append(("Steward deliver(), PostgreSQL store", took))
            finally:
                with server.connect() as connection:
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                server.dispose()
    finally:
        controller.stop()
    print(f"{args.messages} messages to a local aiosmtpd server (target <= {TARGET_SECONDS} s)")
    print(f"{'what':<42} {'seconds':>8} {'msg/s':>8} {'vs baseline':>12}")
    for label, seconds in rows:
        print(f"{label:<42} {seconds:8.2f} {args.messages / seconds:8.0f} {seconds / raw:11.2f}x")
    steward_worst = max(seconds for label, seconds in rows[1:])
    verdict = "meets" if steward_worst <= TARGET_SECONDS * args.messages / 1000 else "misses"
    print(f"Steward {verdict} the target")


if __name__ == "__main__":
    main()
