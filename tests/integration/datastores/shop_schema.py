"""A shop whose staff and customers share one database, on SQLite, PostgreSQL and MariaDB.

Ann and Ben are flatmates (one address); Cat lives alone. Sam is an employee whose id (3) is
also Cat's customer id. Ben's order 101 was paid with Ann's card 10; Sam handled Ann's order
100, Cat's order 103 and two rentals. Ann's invoice 1 is under a legal hold.

``fks=False`` builds the same tables with no foreign key at all: every link is then declared
in the register's ``references``, as some real schemas must.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

Q = {"sqlite": '"', "postgresql": '"', "mysql": "`"}


def ddl(dialect: str, *, fks: bool = True) -> list[str]:
    text = "VARCHAR(200)" if dialect == "mysql" else "TEXT"

    def ref(target: str) -> str:
        return f" REFERENCES {target}" if fks else ""

    return [
        f"CREATE TABLE addresses (id INTEGER PRIMARY KEY, street {text} NOT NULL)",
        f"""CREATE TABLE customers (id INTEGER PRIMARY KEY, email {text}, name {text} NOT NULL,
            address_id INTEGER{ref("addresses(id)")})""",
        f"CREATE TABLE staff (id INTEGER PRIMARY KEY, email {text}, name {text} NOT NULL)",
        f"""CREATE TABLE cards (id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL{ref("customers(id)")}, number {text} NOT NULL)""",
        f"""CREATE TABLE orders (id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL{ref("customers(id)")},
            card_id INTEGER{ref("cards(id)")}, staff_id INTEGER{ref("staff(id)")},
            note {text})""",
        f"""CREATE TABLE order_items (id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL{ref("orders(id)")}, product {text} NOT NULL)""",
        f"""CREATE TABLE rentals (id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL{ref("customers(id)")},
            staff_id INTEGER NOT NULL{ref("staff(id)")}, film {text} NOT NULL)""",
        f"""CREATE TABLE invoices (id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL{ref("customers(id)")}, amount INTEGER NOT NULL,
            issued_at DATE NOT NULL)""",
    ]


ROWS: dict[str, list[dict[str, Any]]] = {
    "addresses": [{"id": 1, "street": "1 Shared Street"}, {"id": 2, "street": "2 Cat Road"}],
    "customers": [
        {"id": 1, "email": "ann@example.com", "name": "Ann", "address_id": 1},
        {"id": 2, "email": "ben@example.com", "name": "Ben", "address_id": 1},
        {"id": 3, "email": "cat@example.com", "name": "Cat", "address_id": 2},
    ],
    "staff": [
        {"id": 3, "email": "sam@shop.example", "name": "Sam"},
        {"id": 4, "email": "tim@shop.example", "name": "Tim"},
    ],
    "cards": [
        {"id": 10, "customer_id": 1, "number": "4111 1111 1111 1111"},
        {"id": 11, "customer_id": 2, "number": "5500 0000 0000 0004"},
    ],
    "orders": [
        {"id": 100, "customer_id": 1, "card_id": 10, "staff_id": 3, "note": "Ann's"},
        {"id": 101, "customer_id": 2, "card_id": 10, "staff_id": None, "note": "Ben, Ann paid"},
        {"id": 102, "customer_id": 2, "card_id": 11, "staff_id": 4, "note": "Ben's"},
        {"id": 103, "customer_id": 3, "card_id": None, "staff_id": 3, "note": "Cat's"},
    ],
    "order_items": [
        {"id": 1000, "order_id": 100, "product": "tea"},
        {"id": 1001, "order_id": 101, "product": "cake"},
        {"id": 1002, "order_id": 102, "product": "milk"},
    ],
    "rentals": [
        {"id": 1, "customer_id": 1, "staff_id": 3, "film": "Alien"},
        {"id": 2, "customer_id": 3, "staff_id": 3, "film": "Brazil"},
        {"id": 3, "customer_id": 2, "staff_id": 4, "film": "Casablanca"},
    ],
    "invoices": [
        {"id": 1, "customer_id": 1, "amount": 100, "issued_at": date(2026, 6, 1)},
        {"id": 2, "customer_id": 3, "amount": 70, "issued_at": date(2026, 6, 1)},
    ],
}


def fill(connection: sa.Connection) -> None:
    meta = sa.MetaData()
    meta.reflect(connection)
    for name, rows in ROWS.items():
        connection.execute(meta.tables[name].insert(), rows)


LINKS = {  # table -> (column, parent table, parent column)
    "customers": [("address_id", "addresses", "id")],
    "cards": [("customer_id", "customers", "id")],
    "orders": [
        ("customer_id", "customers", "id"),
        ("card_id", "cards", "id"),
        ("staff_id", "staff", "id"),
    ],
    "order_items": [("order_id", "orders", "id")],
    "rentals": [("customer_id", "customers", "id"), ("staff_id", "staff", "id")],
    "invoices": [("customer_id", "customers", "id")],
}


def register_yaml(
    kind: str, env: str, *, fks: bool = True, directions: dict[str, str] | None = None
) -> str:
    """The shop's register; without foreign keys every link is declared in ``references``.

    ``directions`` gives ``table.column`` a reference direction (``to`` or ``from``).
    """
    directions = directions or {}

    def references(table: str) -> str:
        entries = []
        for column, parent, to in LINKS.get(table, []):
            direction = directions.get(f"{table}.{column}")
            if fks and direction is None:
                continue
            extra = f", direction: {direction}" if direction else ""
            entries.append(f"{{columns: {column}, table: {parent}, to_columns: {to}{extra}}}")
        if not entries:
            return ""
        return "\n        references:\n" + "".join(f"          - {e}\n" for e in entries)

    return f"""
steward: 1
operator:
  id: shop
  legal_name: Shop Ltd
  names: {{en: Shop}}
  country: RU
  contacts: {{privacy_email: privacy@shop.example, postal_address: "1 Shop St"}}
  jurisdictions: [eu-gdpr]
  languages: [en]
subjects:
  - id: customer
    names: {{en: Customer}}
  - id: employee
    names: {{en: Employee}}
purposes:
  - id: sales
    names: {{en: Sales}}
    descriptions: {{en: Selling and renting.}}
    basis: contract
    categories: [contact, identity.name, financial.card, content]
    subjects: [customer]
    recipients: [courier]
  - id: staffing
    names: {{en: Staffing}}
    descriptions: {{en: Employment.}}
    basis: contract
    categories: [contact.email, identity.name]
    subjects: [employee]
    recipients: [payroll]
  - id: accounting
    names: {{en: Accounting}}
    descriptions: {{en: Tax law.}}
    basis: legal-obligation
    basis_reference: "402-FZ Art. 29"
    categories: [financial.transactions]
    subjects: [customer]
    retention: {{duration: P5Y, from: collection}}
recipients:
  - {{id: courier, name: Courier Co, role: processor, country: RU}}
  - {{id: payroll, name: Payroll Co, role: processor, country: RU}}
policy:
  requests: {{subject: customer}}
datastores:
  - id: shop
    kind: {kind}
    connection: {{env: {env}}}
    location: RU
    tables:
      - name: customers
        subject: customer
        identity: {{email: email, id: account-id}}
        columns: {{email: contact.email, name: identity.name}}
        purposes: [sales]{references("customers")}
      - name: staff
        subject: employee
        identity: {{email: email, id: account-id}}
        columns: {{email: contact.email, name: identity.name}}
        purposes: [staffing]
      - name: addresses
        columns: {{street: contact.address}}
        purposes: [sales]
      - name: cards
        columns: {{number: financial.card}}
        purposes: [sales]{references("cards")}
      - name: orders
        columns: {{note: content}}
        purposes: [sales]{references("orders")}
      - name: order_items
        columns: {{product: content}}
        purposes: [sales]{references("order_items")}
      - name: rentals
        columns: {{film: content}}
        purposes: [sales]{references("rentals")}
      - name: invoices
        columns: {{amount: financial.transactions}}
        purposes: [accounting]
        collected_at: issued_at{references("invoices")}
"""
