"""A schema with every hard case, on SQLite, PostgreSQL and MariaDB, and its register.

Alice is the subject; Bob and Carol are other customers. Quoted names (spaces, mixed case,
reserved words), a text primary key, a self-reference (Bob was referred by Alice), a composite
key, a cycle between two tables, an address shared by Alice and Bob, a copy of Alice's address
in her invoice, a link only the register declares (calls by phone), an invoice under a legal
hold, a generated column, an update trigger, and (PostgreSQL) a partitioned table whose foreign
key exists only on one partition.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

Q = {"sqlite": '"', "postgresql": '"', "mysql": "`"}


def ddl(dialect: str) -> list[str]:
    q = Q[dialect]
    text = "VARCHAR(200)" if dialect == "mysql" else "TEXT"
    if dialect == "postgresql":
        generated = f"{q}Display{q} TEXT GENERATED ALWAYS AS (upper(name)) STORED"
    elif dialect == "mysql":
        generated = f"{q}Display{q} VARCHAR(200) AS (upper(name)) STORED"
    else:
        generated = f"{q}Display{q} TEXT GENERATED ALWAYS AS (upper(name)) VIRTUAL"
    statements = [
        f"CREATE TABLE addresses (id INTEGER PRIMARY KEY, street {text} NOT NULL)",
        f"""CREATE TABLE {q}Account Holders{q} (
            {q}User ID{q} VARCHAR(50) PRIMARY KEY,
            {q}E-Mail{q} {text},
            phone {text},
            name {text} NOT NULL,
            {q}order{q} {text},
            address_id INTEGER REFERENCES addresses(id),
            referrer VARCHAR(50) REFERENCES {q}Account Holders{q}({q}User ID{q}),
            {generated},
            changes INTEGER NOT NULL DEFAULT 0)""",
        f"""CREATE TABLE memberships (
            holder VARCHAR(50) NOT NULL REFERENCES {q}Account Holders{q}({q}User ID{q}),
            club VARCHAR(20) NOT NULL,
            nickname {text},
            PRIMARY KEY (holder, club))""",
        f"""CREATE TABLE membership_notes (
            id INTEGER PRIMARY KEY, holder VARCHAR(50) NOT NULL, club VARCHAR(20) NOT NULL,
            note {text} NOT NULL,
            FOREIGN KEY (holder, club) REFERENCES memberships(holder, club))""",
        f"""CREATE TABLE projects (id INTEGER PRIMARY KEY,
            owner VARCHAR(50) NOT NULL REFERENCES {q}Account Holders{q}({q}User ID{q}),
            title {text} NOT NULL, cover_note INTEGER)""",
        f"""CREATE TABLE notes (id INTEGER PRIMARY KEY,
            project INTEGER NOT NULL REFERENCES projects(id), body {text} NOT NULL)""",
        f"""CREATE TABLE messages (id INTEGER PRIMARY KEY,
            author VARCHAR(50) NOT NULL REFERENCES {q}Account Holders{q}({q}User ID{q}),
            reply_to INTEGER REFERENCES messages(id), body {text} NOT NULL)""",
        f"""CREATE TABLE invoices (id INTEGER PRIMARY KEY,
            holder VARCHAR(50) NOT NULL REFERENCES {q}Account Holders{q}({q}User ID{q}),
            billing_address {text} NOT NULL, amount INTEGER NOT NULL, issued_at DATE NOT NULL)""",
        f"CREATE TABLE call_log (id INTEGER PRIMARY KEY, caller {text} NOT NULL, minutes INTEGER)",
    ]
    if dialect != "sqlite":
        # the cycle: a project's cover note is one of its notes (SQLite cannot add it later)
        statements.append("ALTER TABLE projects ADD FOREIGN KEY (cover_note) REFERENCES notes(id)")
    if dialect == "postgresql":
        statements += [
            """CREATE FUNCTION count_change() RETURNS trigger AS $$
               BEGIN NEW.changes := OLD.changes + 1; RETURN NEW; END $$ LANGUAGE plpgsql""",
            """CREATE TRIGGER holder_changes BEFORE UPDATE ON "Account Holders"
               FOR EACH ROW EXECUTE FUNCTION count_change()""",
            """CREATE TABLE events (id INTEGER NOT NULL, holder VARCHAR(50) NOT NULL,
               at DATE NOT NULL, page TEXT, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)""",
            """CREATE TABLE events_2025 PARTITION OF events
               FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')""",
            """CREATE TABLE events_2026 PARTITION OF events
               FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')""",
            """ALTER TABLE events_2026 ADD FOREIGN KEY (holder)
               REFERENCES "Account Holders"("User ID")""",
        ]
    elif dialect == "mysql":
        statements.append(
            "CREATE TRIGGER holder_changes BEFORE UPDATE ON `Account Holders` "
            "FOR EACH ROW SET NEW.changes = OLD.changes + 1"
        )
    else:
        statements.append(
            """CREATE TRIGGER holder_changes AFTER UPDATE OF "E-Mail", name ON "Account Holders"
               BEGIN UPDATE "Account Holders" SET changes = OLD.changes + 1
               WHERE "User ID" = NEW."User ID"; END"""
        )
    return statements


HOLDERS = [
    {
        "User ID": "u-alice",
        "E-Mail": "Alice.Liddell@Example.COM",
        "phone": "+7 912 345-67-89",
        "name": "Alice Liddell",
        "order": "first",
        "address_id": 1,
        "referrer": None,
    },
    {
        "User ID": "u-bob",
        "E-Mail": "bob@example.com",
        "phone": "+79120000002",
        "name": "Bob Stone",
        "order": "second",
        "address_id": 1,
        "referrer": "u-alice",
    },
    {
        "User ID": "u-carol",
        "E-Mail": None,
        "phone": "+79160000003",
        "name": "Carol Phone-Only",
        "order": None,
        "address_id": 2,
        "referrer": None,
    },
    {
        "User ID": "u-dave",
        "E-Mail": "dave@example.com",
        "phone": None,
        "name": "Dave Own-Address",
        "order": None,
        "address_id": 3,
        "referrer": None,
    },
]


def fill(connection: sa.Connection, dialect: str) -> None:
    meta = sa.MetaData()
    meta.reflect(connection)
    t = meta.tables
    connection.execute(
        t["addresses"].insert(),
        [
            {"id": 1, "street": "1 Shared Street"},
            {"id": 2, "street": "2 Carol Road"},
            {"id": 3, "street": "3 Dave Lane"},
        ],
    )
    connection.execute(t["Account Holders"].insert(), HOLDERS)
    connection.execute(
        t["memberships"].insert(),
        [
            {"holder": "u-alice", "club": "chess", "nickname": "Queen"},
            {"holder": "u-alice", "club": "tea", "nickname": "Earl"},
            {"holder": "u-bob", "club": "chess", "nickname": "Rook"},
        ],
    )
    connection.execute(
        t["membership_notes"].insert(),
        [
            {"id": 1, "holder": "u-alice", "club": "tea", "note": "likes oolong"},
            {"id": 2, "holder": "u-bob", "club": "chess", "note": "plays on Sundays"},
        ],
    )
    connection.execute(
        t["projects"].insert(),
        [
            {"id": 1, "owner": "u-alice", "title": "Alice's garden", "cover_note": None},
            {"id": 2, "owner": "u-bob", "title": "Bob's boat", "cover_note": None},
        ],
    )
    connection.execute(
        t["notes"].insert(),
        [
            {"id": 1, "project": 1, "body": "roses"},
            {"id": 2, "project": 2, "body": "sails"},
        ],
    )
    connection.execute(sa.update(t["projects"]).where(t["projects"].c.id == 1).values(cover_note=1))
    connection.execute(
        t["messages"].insert(),
        [
            {"id": 1, "author": "u-alice", "reply_to": None, "body": "hello"},
            {"id": 2, "author": "u-alice", "reply_to": 1, "body": "me again"},
            {"id": 3, "author": "u-bob", "reply_to": None, "body": "hi Bob here"},
        ],
    )
    connection.execute(
        t["invoices"].insert(),
        [
            {
                "id": 1,
                "holder": "u-alice",
                "billing_address": "1 Shared Street",
                "amount": 100,
                "issued_at": sa.func.current_date() if False else _recent(),
            },
            {
                "id": 2,
                "holder": "u-alice",
                "billing_address": "1 Shared Street",
                "amount": 50,
                "issued_at": _old(),
            },
            {
                "id": 3,
                "holder": "u-bob",
                "billing_address": "1 Shared Street",
                "amount": 70,
                "issued_at": _recent(),
            },
        ],
    )
    connection.execute(
        t["call_log"].insert(),
        [
            {"id": 1, "caller": "+79123456789", "minutes": 3},
            {"id": 2, "caller": "8 (912) 345-67-89", "minutes": 4},
            {"id": 3, "caller": "+79160000003", "minutes": 5},
            {"id": 4, "caller": "+79120000002", "minutes": 6},
        ],
    )
    if dialect == "postgresql":
        connection.execute(
            t["events"].insert(),
            [
                {"id": 1, "holder": "u-alice", "at": _date("2025-03-01"), "page": "/a"},
                {"id": 2, "holder": "u-alice", "at": _date("2026-03-01"), "page": "/b"},
                {"id": 3, "holder": "u-bob", "at": _date("2026-04-01"), "page": "/c"},
            ],
        )


def _date(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


def _recent() -> Any:
    return _date("2026-06-01")


def _old() -> Any:
    return _date("2019-01-15")


def register_yaml(kind: str, env: str) -> str:
    events = (
        """
      - name: events
        columns: {page: usage.pages}
        references:
          - {columns: holder, table: Account Holders, to_columns: User ID}
"""
        if kind == "postgresql"
        else ""
    )
    return f"""
steward: 1
operator:
  id: hard
  legal_name: Hard Cases Ltd
  names: {{en: Hard Cases, ru: Сложные случаи}}
  country: RU
  contacts: {{privacy_email: privacy@hard.example, postal_address: "1 Hard St"}}
  jurisdictions: [eu-gdpr]
  languages: [en]
subjects:
  - id: member
    names: {{en: Member}}
purposes:
  - id: service
    names: {{en: Service, ru: Сервис}}
    descriptions: {{en: The service.}}
    basis: contract
    categories: [contact, identity.name, content, usage.pages, communications]
    subjects: [member]
    sources: [subject]
    retention: {{duration: P1Y, from: contract-end}}
  - id: accounting
    names: {{en: Accounting, ru: Бухгалтерский учёт}}
    descriptions: {{en: Tax law.}}
    basis: legal-obligation
    basis_reference: "402-FZ Art. 29"
    categories: [financial.transactions, contact.address]
    subjects: [member]
    retention: {{duration: P5Y, from: collection}}
    recipients: [tax]
recipients:
  - {{id: tax, name: Tax Service, role: authority, country: RU}}
datastores:
  - id: app
    kind: {kind}
    connection: {{env: {env}}}
    location: RU
    tables:
      - name: Account Holders
        subject: member
        identity: {{E-Mail: email, phone: phone, User ID: account-id}}
        columns:
          E-Mail: contact.email
          phone: contact.phone
          name: identity.name
          order: {{category: content, mask: fixed, value: "-"}}
        purposes: [service]
        on_erasure: delete
      - name: addresses
        columns: {{street: contact.address}}
        purposes: [service]
      - name: memberships
        columns: {{nickname: identity.name}}
        purposes: [service]
      - name: membership_notes
        columns: {{note: content}}
        purposes: [service]
      - name: projects
        columns: {{title: content}}
        purposes: [service]
      - name: notes
        columns: {{body: content}}
        purposes: [service]
      - name: messages
        columns: {{body: content.messages}}
        purposes: [service]
      - name: invoices
        columns: {{billing_address: contact.address, amount: financial.transactions}}
        purposes: [accounting]
        collected_at: issued_at
      - name: call_log
        identity: {{caller: phone}}
        columns: {{caller: contact.phone}}
        purposes: [service]
        references:
          - {{columns: caller, table: Account Holders, to_columns: phone}}
{events}"""


ALICE = {
    "Account Holders": {("u-alice",)},
    "addresses": set(),  # shared with Bob: never erased, answered marked shared (SHARED)
    "memberships": {("u-alice", "chess"), ("u-alice", "tea")},
    "membership_notes": {(1,)},
    "projects": {(1,)},
    "notes": {(1,)},
    "messages": {(1,), (2,)},
    "invoices": {(1,), (2,)},
    "call_log": {(1,), (2,)},
}
SHARED = {"addresses": {(1,)}}  # Alice's rows that are Bob's too
ALICE_PG = {**ALICE, "events": {(1, _date("2025-03-01")), (2, _date("2026-03-01"))}}
