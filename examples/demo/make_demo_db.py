"""Create the demo operator's application database: a few hundred fake tea-shop customers.

    python examples/demo/make_demo_db.py examples/demo/app.db [--customers 300] [--seed 7]

English and Russian customers (Faker en_US and ru_RU), with orders, invoices, support
tickets, call-recording metadata and newsletter subscriptions. Phone numbers are generated
in E.164 and kept only when ``phonenumbers`` says they are valid, so they can serve as truth.
Deterministic for a given seed; an existing file is replaced.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import phonenumbers
from faker import Faker

SCHEMA = """
CREATE TABLE cities (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL);
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  phone TEXT,
  full_name TEXT NOT NULL,
  street_address TEXT,
  city_id INTEGER REFERENCES cities(id),
  referred_by INTEGER REFERENCES customers(id),
  password_hash TEXT NOT NULL,
  language TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_login_at TEXT
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  billing_name TEXT NOT NULL,
  billing_address TEXT NOT NULL,
  items TEXT NOT NULL,
  total_cents INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX orders_customer ON orders(customer_id);
CREATE TABLE invoices (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  billing_name TEXT NOT NULL,
  amount TEXT NOT NULL,
  issued_at TEXT NOT NULL
);
CREATE INDEX invoices_order ON invoices(order_id);
CREATE TABLE support_tickets (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX tickets_customer ON support_tickets(customer_id);
CREATE TABLE call_recordings (
  id INTEGER PRIMARY KEY,
  caller_phone TEXT NOT NULL,
  audio_path TEXT NOT NULL,
  duration_seconds INTEGER NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX calls_phone ON call_recordings(caller_phone);
CREATE TABLE newsletter_subscriptions (
  email TEXT PRIMARY KEY,
  subscribed_at TEXT NOT NULL
);
"""

TEAS = ["Assam", "Darjeeling", "Sencha", "Pu-erh", "Earl Grey", "Иван-чай", "Молочный улун"]


def valid_phone(rng: random.Random, language: str) -> str:
    while True:
        if language == "ru":
            candidate = f"+79{rng.randrange(10**9):09d}"
        else:
            area = rng.choice(["212", "415", "617", "303"])
            candidate = f"+1{area}{rng.randrange(2, 10)}{rng.randrange(10**6):06d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            return candidate


def build(path: Path, customers: int, seed: int) -> None:
    rng = random.Random(seed)
    fakers = {"en": Faker("en_US"), "ru": Faker("ru_RU")}
    for index, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + index)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    cities = [
        (1, "Moscow", "RU"),
        (2, "Saint Petersburg", "RU"),
        (3, "Boston", "US"),
        (4, "Denver", "US"),
    ]
    db.executemany("INSERT INTO cities VALUES (?, ?, ?)", cities)
    emails: set[str] = set()
    order_id = invoice_id = ticket_id = call_id = 0
    for cid in range(1, customers + 1):
        language = "ru" if cid % 2 else "en"
        fake = fakers[language]
        email = fake.unique.email()
        while email.lower() in emails:
            email = fake.unique.email()
        emails.add(email.lower())
        phone = valid_phone(rng, language)
        created = now - timedelta(days=rng.randrange(30, 1500))
        referred_by = rng.randrange(1, cid) if cid > 5 and rng.random() < 0.15 else None
        full_name = fake.name()
        db.execute(
            "INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                cid,
                email,
                phone,
                full_name,
                fake.street_address(),
                rng.choice([1, 2]) if language == "ru" else rng.choice([3, 4]),
                referred_by,
                "argon2$" + fake.sha256()[:40],
                language,
                created.isoformat(),
                (created + timedelta(days=rng.randrange(0, 30))).isoformat(),
            ),
        )
        for _ in range(rng.randrange(0, 5)):
            order_id += 1
            when = created + timedelta(days=rng.randrange(0, 30))
            total = rng.randrange(500, 20000)
            db.execute(
                "INSERT INTO orders VALUES (?,?,?,?,?,?,?)",
                (
                    order_id,
                    cid,
                    fake.name() if rng.random() < 0.1 else full_name,  # gifts: another name
                    fake.address().replace("\n", ", "),
                    ", ".join(rng.sample(TEAS, 2)),
                    total,
                    when.isoformat(),
                ),
            )
            invoice_id += 1
            db.execute(
                "INSERT INTO invoices VALUES (?,?,?,?,?)",
                (invoice_id, order_id, full_name, f"{total / 100:.2f}", when.isoformat()),
            )
        for _ in range(rng.randrange(0, 3)):
            ticket_id += 1
            db.execute(
                "INSERT INTO support_tickets VALUES (?,?,?,?,?)",
                (ticket_id, cid, fake.sentence(nb_words=4), fake.paragraph(), created.isoformat()),
            )
        for _ in range(rng.randrange(0, 3)):
            call_id += 1
            recorded = now - timedelta(days=rng.randrange(1, 200))
            db.execute(
                "INSERT INTO call_recordings VALUES (?,?,?,?,?)",
                (
                    call_id,
                    phone,
                    f"recordings/{call_id:06d}.ogg",
                    rng.randrange(30, 900),
                    recorded.isoformat(),
                ),
            )
        if rng.random() < 0.4:
            db.execute(
                "INSERT INTO newsletter_subscriptions VALUES (?, ?)",
                (email, (created + timedelta(days=1)).isoformat()),
            )
    db.commit()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    build(args.path, args.customers, args.seed)
    print(f"wrote {args.path}: {args.customers} customers")


if __name__ == "__main__":
    main()
