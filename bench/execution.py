# ruff: noqa: E501  (SQL text reads better unwrapped)
"""Executing requests at scale: Steward's executor beside hand-written SQL.

    .venv/bin/python bench/execution.py --customers 1000000 --runs 21

Builds a PostgreSQL database (``--customers`` customers across eleven related tables, foreign
keys indexed), then prints for access and erasure of one subject the median time of Steward's
executor beside hand-written SQL doing the same work in the same run. Queued erasures through
workers are ``bench/queued.py`` (on the same database).
Needs PostgreSQL at --postgres. The database is built by the server
itself (``generate_series``, foreign keys added after the fill: 1,000,000 customers, 13.3
million rows, in about 90 s on a loaded machine) and kept between runs: it is re-used when a
finished build of the requested size is there (``--rebuild`` to force). Each run erases
subjects nobody erased before, so a kept database serves many runs.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from steward.datastores import ExecutionRequest  # noqa: E402
from steward.datastores.executor import connected, run_on_datastore  # noqa: E402
from steward.datastores.identity import Identifiers  # noqa: E402
from steward.register import load_register  # noqa: E402

SCHEMA = """
CREATE TABLE cities (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, phone text, full_name text NOT NULL,
  city_id int REFERENCES cities(id), referred_by bigint REFERENCES customers(id), created_at date NOT NULL);
CREATE TABLE addresses (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id),
  street text NOT NULL, postcode text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id),
  billing_name text NOT NULL, billing_address text NOT NULL, total_cents int NOT NULL, created_at date NOT NULL);
CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders(id),
  sku text NOT NULL, gift_message text);
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders(id),
  billing_name text NOT NULL, amount_cents int NOT NULL, issued_at date NOT NULL,
  restricted boolean NOT NULL DEFAULT false);
CREATE TABLE payments (id bigint PRIMARY KEY, invoice_id bigint NOT NULL REFERENCES invoices(id),
  card_last4 text, paid_at date NOT NULL);
CREATE TABLE support_tickets (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id),
  body text NOT NULL);
CREATE TABLE login_events (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id),
  ip text NOT NULL, at timestamptz NOT NULL);
CREATE TABLE newsletter (email text PRIMARY KEY, subscribed_at date NOT NULL);
CREATE TABLE call_recordings (id bigint PRIMARY KEY, caller_phone text NOT NULL, audio_path text NOT NULL);
"""

FILL = """
INSERT INTO cities SELECT g, 'City ' || g FROM generate_series(1, 100) g;
INSERT INTO customers SELECT g, 'Customer' || g || '@Example.com', '+7912' || lpad(g::text, 7, '0'),
  'Name ' || g, 1 + g % 100, CASE WHEN g % 7 = 0 AND g > 1 THEN g - 1 END,
  date '2025-01-01' + (g % 600) FROM generate_series(1, {n}) g;
INSERT INTO addresses SELECT g, g, g || ' Main Street', lpad((g % 99999)::text, 5, '0')
  FROM generate_series(1, {n}) g;
INSERT INTO orders SELECT g, 1 + (g - 1) / 2, 'Name ' || (1 + (g - 1) / 2), 'Some address ' || g,
  100 + g % 5000, date '2025-01-01' + (g % 600) FROM generate_series(1, 2 * {n}) g;
INSERT INTO order_items SELECT g, g, 'SKU-' || (g % 300), NULL FROM generate_series(1, 2 * {n}) g;
INSERT INTO invoices SELECT g, g, 'Name ' || (1 + (g - 1) / 2), 100 + g % 5000,
  date '2025-01-01' + (g % 600), false FROM generate_series(1, 2 * {n}) g;
INSERT INTO payments SELECT g, g, lpad((g % 10000)::text, 4, '0'), date '2025-01-01' + (g % 600)
  FROM generate_series(1, 2 * {n}) g;
INSERT INTO support_tickets SELECT g, 1 + (g * 2) % {n}, 'Ticket text ' || g
  FROM generate_series(1, {n} / 2) g;
INSERT INTO login_events SELECT g, 1 + (g - 1) % {n}, '10.0.' || (g % 250) || '.' || (g % 200),
  now() - (g % 1000) * interval '1 hour' FROM generate_series(1, 2 * {n}) g;
INSERT INTO newsletter SELECT 'customer' || g || '@example.com', date '2025-01-01' + (g % 600)
  FROM generate_series(1, {n}) g WHERE g % 3 = 0;
INSERT INTO call_recordings SELECT g, '+7912' || lpad((1 + (g * 3) % {n})::text, 7, '0'),
  'rec/' || g || '.ogg' FROM generate_series(1, {n} / 2) g;
CREATE INDEX ON customers (lower(email));
CREATE INDEX ON customers (phone);
CREATE INDEX ON customers (referred_by);
CREATE INDEX ON customers (city_id);
CREATE INDEX ON addresses (customer_id);
CREATE INDEX ON orders (customer_id);
CREATE INDEX ON order_items (order_id);
CREATE INDEX ON invoices (order_id);
CREATE INDEX ON payments (invoice_id);
CREATE INDEX ON support_tickets (customer_id);
CREATE INDEX ON login_events (customer_id);
CREATE INDEX ON newsletter (lower(email));
CREATE INDEX ON call_recordings (caller_phone);
ANALYZE;
"""

REGISTER = """
steward: 1
operator:
  id: bench-shop
  legal_name: Bench Shop LLC
  names: {en: Bench Shop}
  country: RU
  contacts: {privacy_email: privacy@bench.example, postal_address: "1 Bench St"}
  jurisdictions: [eu-gdpr]
  languages: [en]
subjects:
  - id: customer
    names: {en: Customer}
purposes:
  - id: orders
    names: {en: Orders}
    descriptions: {en: Orders.}
    basis: contract
    categories: [contact, identity.name, contract.services, device.ip_address]
    subjects: [customer]
    sources: [subject]
    retention: {duration: P3Y, from: contract-end}
  - id: accounting
    names: {en: Accounting}
    descriptions: {en: Accounting.}
    basis: legal-obligation
    categories: [financial.transactions, financial.card, identity.name]
    subjects: [customer]
    retention: {duration: P5Y, from: collection}
datastores:
  - id: shop
    kind: postgresql
    connection: {env: BENCH_SHOP_URL}
    location: RU
    tables:
      - {name: cities, reference_data: true}
      - name: customers
        subject: customer
        identity: {email: email, phone: phone}
        columns: {email: contact.email, phone: contact.phone, full_name: identity.name}
        purposes: [orders]
        on_erasure: delete
      - name: addresses
        columns: {street: contact.address, postcode: contact.address}
      - name: orders
        columns: {billing_name: identity.name, billing_address: contact.address}
        purposes: [orders]
      - name: order_items
        columns: {gift_message: contract.services}
        purposes: [orders]
      - name: invoices
        columns: {billing_name: identity.name, amount_cents: financial.transactions}
        purposes: [accounting]
        collected_at: issued_at
        restrict_column: restricted
      - name: payments
        columns: {card_last4: financial.card}
        purposes: [accounting]
        collected_at: paid_at
      - name: support_tickets
        columns: {body: contract.support}
        purposes: [orders]
      - name: login_events
        columns: {ip: device.ip_address}
        purposes: [orders]
      - name: newsletter
        identity: {email: email}
        columns: {email: contact.email}
        purposes: [orders]
      - name: call_recordings
        identity: {caller_phone: phone}
        columns: {caller_phone: contact.phone, audio_path: communications.call_recording}
        purposes: [orders]
"""


_REFERENCE = re.compile(r" REFERENCES (\w+)\(id\)")
# (table, column, referenced table) of every foreign key in SCHEMA, added after the fill
_REFERENCE_COLUMNS = [
    (table, column, target)
    for table, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\);", SCHEMA, re.S)
    for column, target in re.findall(r"(\w+) \w+(?: NOT NULL)? REFERENCES (\w+)\(id\)", body)
]


def ensure_database(server: str, name: str, customers: int, rebuild: bool) -> str:
    admin = psycopg.connect(server, autocommit=True)
    url = server.rsplit("/", 1)[0] + "/" + name
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if exists and not rebuild:
        with psycopg.connect(url) as db:
            # the comment is written last, so a build cut short is never taken for a whole one
            row = db.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                (name,),
            ).fetchone()
            if row and row[0] == f"built: {customers} customers":
                print(f"re-using {name} with {customers:,} customers")
                admin.close()
                return url
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as db:
        # Tables first without their foreign keys, filled by the server itself, keys and indexes
        # after: checking 13 million references one row at a time is what made the 1M build slow;
        # ``ALTER TABLE ... ADD FOREIGN KEY`` validates each in one join. Same schema at the end.
        db.execute("SET synchronous_commit = off")
        db.execute(_REFERENCE.sub("", SCHEMA))
        for statement in FILL.format(n=customers).split(";"):
            if statement.strip():
                db.execute(statement)
        for table, column, target in _REFERENCE_COLUMNS:
            db.execute(f"ALTER TABLE {table} ADD FOREIGN KEY ({column}) REFERENCES {target}(id)")
        db.execute("ANALYZE")
        db.execute(f"COMMENT ON DATABASE \"{name}\" IS 'built: {customers} customers'")
        rows = sum(
            db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in (
                "customers",
                "addresses",
                "orders",
                "order_items",
                "invoices",
                "payments",
                "support_tickets",
                "login_events",
                "newsletter",
                "call_recordings",
            )
        )
    print(
        f"built {name}: {customers:,} customers, {rows:,} rows in {time.perf_counter() - started:.0f} s"
    )
    return url


def hand_access(db: psycopg.Connection, email: str) -> int:
    """What a careful engineer writes by hand for one subject's data (``db`` in autocommit:
    reads need no transaction, and no ROLLBACK discards psycopg's prepared statements)."""
    rows = 0
    customers = db.execute("SELECT * FROM customers WHERE lower(email) = %s", (email,)).fetchall()
    ids = [c[0] for c in customers]
    phones = [c[2] for c in customers if c[2]]
    rows += len(customers)
    for table in ("addresses", "support_tickets", "login_events"):
        rows += len(
            db.execute(f"SELECT * FROM {table} WHERE customer_id = ANY(%s)", (ids,)).fetchall()
        )
    orders = db.execute("SELECT * FROM orders WHERE customer_id = ANY(%s)", (ids,)).fetchall()
    order_ids = [o[0] for o in orders]
    items = db.execute(
        "SELECT * FROM order_items WHERE order_id = ANY(%s)", (order_ids,)
    ).fetchall()
    invoices = db.execute(
        "SELECT * FROM invoices WHERE order_id = ANY(%s)", (order_ids,)
    ).fetchall()
    payments = db.execute(
        "SELECT * FROM payments WHERE invoice_id = ANY(%s)", ([i[0] for i in invoices],)
    ).fetchall()
    news = db.execute("SELECT * FROM newsletter WHERE lower(email) = %s", (email,)).fetchall()
    calls = db.execute(
        "SELECT * FROM call_recordings WHERE caller_phone = ANY(%s)", (phones,)
    ).fetchall()
    rows += len(orders) + len(items) + len(invoices) + len(payments) + len(news) + len(calls)
    return rows


def hand_erase(db: psycopg.Connection, email: str) -> tuple[int, str, list[int]]:
    """The same erasure by hand: holds restricted, the rest deleted or masked, one transaction.
    Returns what the check needs: the customer's id, phone and order ids."""
    with db.transaction():
        row = db.execute(
            "SELECT id, phone FROM customers WHERE lower(email) = %s", (email,)
        ).fetchone()
        assert row is not None
        cid, phone = row
        order_ids = [
            r[0] for r in db.execute("SELECT id FROM orders WHERE customer_id = %s", (cid,))
        ]
        db.execute("DELETE FROM order_items WHERE order_id = ANY(%s)", (order_ids,))
        db.execute(
            "UPDATE invoices SET restricted = true WHERE order_id = ANY(%s) "
            "AND issued_at + interval '5 years' > current_date",
            (order_ids,),
        )
        db.execute(
            "UPDATE orders SET billing_name = '[erased]', billing_address = '[erased]' "
            "WHERE id = ANY(%s)",
            (order_ids,),
        )
        for table in ("addresses", "support_tickets", "login_events"):
            db.execute(f"DELETE FROM {table} WHERE customer_id = %s", (cid,))
        db.execute("DELETE FROM newsletter WHERE lower(email) = %s", (email,))
        db.execute("DELETE FROM call_recordings WHERE caller_phone = %s", (phone,))
        db.execute(
            "UPDATE customers SET email = 'anon-' || md5(random()::text), phone = NULL, "
            "full_name = '[erased]' WHERE id = %s",
            (cid,),
        )
    return cid, phone, order_ids


def hand_check(reader: psycopg.Connection, email: str, erased: tuple[int, str, list[int]]) -> None:
    """The hand-written check after that erasure, what Steward's verifying search does: search
    again from the identifiers and the keys the erasure used, after the commit (``reader`` in
    autocommit), and see that only what should stay is left: the masked account, the masked
    orders, the restricted invoices and their payments."""
    cid, phone, order_ids = erased

    def rows(sql: str, value: Any) -> list[tuple[Any, ...]]:
        return reader.execute(sql, (value,)).fetchall()

    left = 0
    left += len(rows("SELECT * FROM customers WHERE lower(email) = %s", email))
    left += len(rows("SELECT * FROM customers WHERE phone = %s", phone))
    left += len(rows("SELECT * FROM newsletter WHERE lower(email) = %s", email))
    left += len(rows("SELECT * FROM call_recordings WHERE caller_phone = %s", phone))
    for table in ("addresses", "support_tickets", "login_events"):
        left += len(rows(f"SELECT * FROM {table} WHERE customer_id = %s", cid))
    left += len(rows("SELECT * FROM order_items WHERE order_id = ANY(%s)", order_ids))
    account = rows("SELECT * FROM customers WHERE id = %s", cid)
    orders = rows("SELECT * FROM orders WHERE customer_id = %s", cid)
    invoices = rows("SELECT * FROM invoices WHERE order_id = ANY(%s)", order_ids)
    rows("SELECT * FROM payments WHERE invoice_id = ANY(%s)", [i[0] for i in invoices])
    masked = all(a[3] == "[erased]" for a in account) and all(o[2] == "[erased]" for o in orders)
    assert left == 0 and masked and all(i[5] for i in invoices), (email, left)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def back_to_back(register: Any, datastore: Any, emails: list[str]) -> float:
    """The baseline: the executor erasing ``emails`` one after another in this process."""
    engine, schema = connected(datastore)
    today = date.today()
    started = time.perf_counter()
    for email in emails:
        run_on_datastore(
            register,
            datastore,
            ExecutionRequest("erasure", {"email": email}, "B"),
            Identifiers.parse({"email": email}, "RU"),
            secret=b"k",
            today=today,
            engine=engine,
            schema=schema,
        )
    return len(emails) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    url = ensure_database(
        args.postgres, f"steward_bench_exec_{args.customers}", args.customers, args.rebuild
    )
    os.environ["BENCH_SHOP_URL"] = url
    with tempfile.TemporaryDirectory() as tmp:
        register_path = Path(tmp) / "register.yaml"
        register_path.write_text(REGISTER, encoding="utf-8")
        register = load_register(register_path)
        datastore = register.datastores[0]
        engine, schema = connected(datastore)
        today = date.today()
        db = psycopg.connect(url)
        reader = psycopg.connect(url, autocommit=True)  # the hand-written reads
        # subjects nobody erased yet (a re-used database keeps earlier runs' erasures)
        pool = random.sample(range(1, args.customers + 1), min(args.customers, 20 * args.runs))
        intact = {
            r[0]
            for r in db.execute(
                "SELECT id FROM customers WHERE id = ANY(%s) AND email LIKE 'Customer%%'", (pool,)
            )
        }
        subjects = [s for s in pool if s in intact][: 5 * args.runs + 2]
        db.rollback()
        timings: dict[str, list[float]] = {k: [] for k in ("sa", "ha", "se", "hc", "sn", "he")}
        cpus: dict[str, list[float]] = {k: [] for k in timings}  # this process's CPU time

        def steward(timing: str, kind: str, email: str, verify: bool = True) -> Any:
            """Steward's executor on one subject, timed into ``timings[timing]``."""
            ids = Identifiers.parse({"email": email}, "RU")  # validated before the clock starts
            started, cpu = time.perf_counter(), time.process_time()
            outcome = run_on_datastore(
                register,
                datastore,
                ExecutionRequest(kind, {"email": email}, "B"),  # type: ignore[arg-type]
                ids,
                secret=b"k",
                today=today,
                engine=engine,
                schema=schema,
                verify=verify,
            )
            timings[timing].append(time.perf_counter() - started)
            cpus[timing].append(time.process_time() - cpu)
            return outcome

        def hand(timing: str, work: Callable[..., Any], *args: Any) -> Any:
            started, cpu = time.perf_counter(), time.process_time()
            result = work(*args)
            timings[timing].append(time.perf_counter() - started)
            cpus[timing].append(time.process_time() - cpu)
            return result

        def hand_erase_checked(email: str) -> None:
            hand_check(reader, email, hand_erase(db, email))

        def in_turn(i: int, calls: list[partial[Any]]) -> list[Any]:
            """Run ``calls`` starting with the i-th: whichever side runs first after the warm-up
            pays ~0.3 ms more (measured here), so the order rotates from run to run."""
            first = i % len(calls)
            order = list(range(first, len(calls))) + list(range(first))
            results: list[Any] = [None] * len(calls)
            for index in order:
                results[index] = calls[index]()
            return results

        for i in range(args.runs):
            email = f"customer{subjects[i]}@example.com"
            hand_access(reader, email)  # warm the subject's pages so neither side pays for the disk
            outcome, count = in_turn(
                i,
                [
                    partial(steward, "sa", "access", email),
                    partial(hand, "ha", hand_access, reader, email),
                ],
            )
            found = sum(t.found for t in outcome.tables)
            assert found == count, (email, found, count)
        for i in range(args.runs):
            steward_email, hand_checked, unverified, hand_email = (
                f"customer{subjects[args.runs + 4 * i + k]}@example.com" for k in range(4)
            )
            for subject in (steward_email, hand_checked, unverified, hand_email):
                hand_access(reader, subject)  # warm every subject's pages
            in_turn(
                i,
                [
                    partial(steward, "se", "erasure", steward_email),
                    partial(hand, "hc", hand_erase_checked, hand_checked),
                    partial(steward, "sn", "erasure", unverified, verify=False),
                    partial(hand, "he", hand_erase, db, hand_email),
                ],
            )
        db.close()
        reader.close()
        print(f"\n{args.customers:,} customers, median of {args.runs} runs, one subject each")
        # "paired": the median of each run's own ratio; both sides of a run are measured back to
        # back, so it is steadier than the ratio of medians when the machine's speed drifts
        # "p10": the ratio of the 10th percentiles; on a loaded machine most of a median is
        # time spent waiting for a core, and the fast runs are closest to the work itself
        # "CPU": the median of this process's CPU time per request (the client's share)
        print(
            f"{'operation':<38}{'Steward ms':>12}{'hand SQL ms':>13}{'ratio':>8}{'paired':>8}"
            f"{'p10':>8}{'CPU Steward/hand ms':>21}"
        )
        for label, s, h in (
            ("access (find + read every row)", "sa", "ha"),
            ("erasure + check after (both sides)", "se", "hc"),
            ("erasure without the check", "sn", "he"),
        ):
            ms, mh = median_ms(timings[s]), median_ms(timings[h])
            paired = statistics.median(a / b for a, b in zip(timings[s], timings[h], strict=True))
            low = percentile(timings[s], 0.1) / percentile(timings[h], 0.1)
            cpu = f"{median_ms(cpus[s]):.2f} / {median_ms(cpus[h]):.2f}"
            print(
                f"{label:<38}{ms:>12.1f}{mh:>13.1f}{ms / mh:>8.2f}{paired:>8.2f}{low:>8.2f}"
                f"{cpu:>21}"
            )


if __name__ == "__main__":
    main()
