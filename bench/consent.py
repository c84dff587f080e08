"""Consent benchmarks: SDK check latency, API check throughput, ledger append throughput.

    .venv/bin/python bench/consent.py [--subjects 1000] [--checks 100000] [--events 20000]
                                      [--postgres postgresql+psycopg://postgres@127.0.0.1/postgres]

Baselines measured in the same run: a plain dict lookup (SDK), the server's /healthz (API),
the same inserts without the hash chain (ledger). Targets: SDK check within 5x a dict lookup;
ledger append >= 5,000 events/s on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from steward.client import ConsentClient  # noqa: E402
from steward.config import Settings  # noqa: E402
from steward.consent import ledger  # noqa: E402
from steward.consent.ledger import EventDraft  # noqa: E402
from steward.store.db import make_engine, session_factory, transaction, upgrade  # noqa: E402
from steward.web.app import create_app  # noqa: E402

REGISTER = ROOT / "examples" / "demo" / "register.yaml"


def percentile(samples: list[int], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def serve(app: object) -> tuple[str, uvicorn.Server]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server


def grant(app: object) -> str:
    """A real API token with the consent scopes."""
    from steward.accounts.tokens import create_token

    with transaction(app.state.sessions) as session:  # type: ignore[attr-defined]
        raw, _ = create_token(
            session, "bench", {"consents:read", "consents:write"}, created_by=None
        )
    return raw


def bench_sdk_and_api(subjects: int, checks: int, api_requests: int) -> list[tuple]:
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    app = create_app(Settings(dev=True, database_url=url, register_path=REGISTER))
    token = grant(app)
    base, server = serve(app)
    emails = [f"person{n}@example.com" for n in range(subjects)]
    with ConsentClient(base, token, poll_interval=None) as sdk:
        for n, email in enumerate(emails):
            if n % 2 == 0:
                sdk.record(email, item="newsletter-email", method="web-form")
        for email in emails:  # warm the cache: one network call per subject
            sdk.may(email, "newsletter", "email")
        plain = {("email", e, "newsletter", "email"): n % 2 == 0 for n, e in enumerate(emails)}
        sdk_ns, dict_ns = [], []
        clock = time.perf_counter_ns
        for i in range(checks):
            email = emails[i % subjects]
            t0 = clock()
            sdk.may(email, "newsletter", "email")
            t1 = clock()
            plain[("email", email, "newsletter", "email")]
            t2 = clock()
            sdk_ns.append(t1 - t0)
            dict_ns.append(t2 - t1)
        correct = all(
            sdk.may(e, "newsletter", "email") == (n % 2 == 0) for n, e in enumerate(emails)
        )
    rows = [
        (
            "SDK check p50 (cached)",
            f"{percentile(sdk_ns, 0.5) / 1000:.2f} µs",
            f"dict lookup {percentile(dict_ns, 0.5) / 1000:.2f} µs",
            f"{percentile(sdk_ns, 0.5) / max(1, percentile(dict_ns, 0.5)):.1f}×",
            "≤ 5×",
        ),
        (
            "SDK check p99 (cached)",
            f"{percentile(sdk_ns, 0.99) / 1000:.2f} µs",
            f"dict lookup {percentile(dict_ns, 0.99) / 1000:.2f} µs",
            f"{percentile(sdk_ns, 0.99) / max(1, percentile(dict_ns, 0.99)):.1f}×",
            "",
        ),
        ("SDK answers correct", str(correct), "", "", ""),
    ]
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:

        def rate(fn) -> float:
            start = time.perf_counter()
            for i in range(api_requests):
                fn(i)
            return api_requests / (time.perf_counter() - start)

        check_rate = rate(
            lambda i: http.post(
                "/api/v1/consents/check",
                json={
                    "identifiers": {"email": emails[i % subjects]},
                    "purpose": "newsletter",
                    "channel": "email",
                },
            ).raise_for_status()
        )
        health_rate = rate(lambda i: http.get("/healthz").raise_for_status())
    rows.append(
        (
            "API check, 1 client",
            f"{check_rate:,.0f} req/s",
            f"/healthz {health_rate:,.0f} req/s",
            f"{check_rate / health_rate:.2f}×",
            "",
        )
    )
    server.should_exit = True
    engine.dispose()
    return rows


def bench_append(url: str, label: str, events: int, batch: int = 500) -> list[tuple]:
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as s:
        subject = ledger.resolve_subject(s, _keys(), {"account-id": "bench"})
    results = {}
    for chained in (False, True):
        start = time.perf_counter()
        for _ in range(events // batch):
            with transaction(sessions) as s:
                ledger.append(
                    s,
                    [
                        EventDraft(
                            subject_id=subject,
                            purpose_id="newsletter",
                            channel="email",
                            action="given",
                            method="api",
                            evidence={"form_id": "bench"},
                        )
                        for _ in range(batch)
                    ],
                    chained=chained,
                )
        results[chained] = events / (time.perf_counter() - start)
        if not chained:
            with engine.begin() as c:
                c.execute(sa.text("DELETE FROM consent_events"))
    with sessions() as s:
        intact = ledger.verify(s) is None
    engine.dispose()
    return [
        (
            f"ledger append, {label} (batches of {batch})",
            f"{results[True]:,.0f} events/s",
            f"no chain {results[False]:,.0f} events/s",
            f"{results[True] / results[False]:.2f}×",
            (
                f"≥ 5,000/s {'met' if results[True] >= 5000 else 'MISSED'}"
                if batch > 1
                else "(one commit per event)"
            )
            + f"; chain {'verifies' if intact else 'BROKEN'}",
        )
    ]


def _keys():
    from steward.consent.identity import ConsentKeys

    return ConsentKeys.from_settings(Settings(dev=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--checks", type=int, default=100_000)
    parser.add_argument("--api-requests", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()

    rows = bench_sdk_and_api(args.subjects, args.checks, args.api_requests)
    tmp = Path(tempfile.mkdtemp())
    rows += bench_append(f"sqlite:///{tmp / 'ledger.db'}", "SQLite", args.events)
    rows += bench_append(f"sqlite:///{tmp / 'ledger1.db'}", "SQLite", 2000, batch=1)
    server = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"steward_bench_{uuid.uuid4().hex[:8]}"
    with server.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        target = str(server.url.set(database=name).render_as_string(False))
        rows += bench_append(target, "PostgreSQL", args.events)
        rows += bench_append(target, "PostgreSQL", 2000, batch=1)
    finally:
        with server.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    headers = ("measure", "Steward", "baseline", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(5)]
    for row in [headers, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
