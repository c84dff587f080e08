"""Discovery on real databases: what the register does not declare is found, and nothing else."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sqlalchemy as sa
from faker import Faker
from stdnum import luhn

from steward.discovery.scan import scan_register
from steward.register import Register, load_register

from ...conftest import EXAMPLES

SHOP = """
steward: 1
operator:
  id: shop
  legal_name: Shop LLC
  names: {en: Shop}
  country: RU
  contacts: {privacy_email: privacy@shop.example, postal_address: "1 Main St"}
  jurisdictions: [ru-152fz]
  languages: [en]
subjects:
  - {id: customer, names: {en: Customer}}
purposes:
  - id: service
    names: {en: Service}
    descriptions: {en: We run the service.}
    basis: contract
    categories: [contact.email, identity.name, contract.services]
    subjects: [customer]
datastores:
  - id: app
    kind: postgresql
    connection: {env: SHOP_DATABASE_URL}
    location: RU
    tables:
      - name: customers
        identity: {email: email}
        columns:
          full_name: identity.name
      - name: orders
        columns:
          plan: contract.services
"""


def _passport(rng: random.Random) -> str:
    region = rng.choice([45, 46, 40, 50, 77, 78, 92])
    return f"{region:02d}{rng.randint(0, 25):02d} {rng.randint(100000, 999999)}"


def _order_number(rng: random.Random) -> str:
    """16 digits that look like a Visa number and fail the Luhn checksum."""
    while True:
        body = "4" + "".join(rng.choice("0123456789") for _ in range(14))
        good = luhn.calc_check_digit(body)
        bad = str((int(good) + rng.randint(1, 9)) % 10)
        return body + bad


def _shop_database(url: str, rows: int = 120) -> None:
    fake = Faker("ru_RU")
    Faker.seed(17)
    rng = random.Random(17)
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    customers = sa.Table(
        "customers",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(200)),
        sa.Column("full_name", sa.String(200)),
        sa.Column("passport", sa.String(20)),  # not in the register
    )
    orders = sa.Table(
        "orders",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id")),
        sa.Column("order_number", sa.String(16)),  # not in the register, not a card
        sa.Column("plan", sa.String(50)),
    )
    meta.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            customers.insert(),
            [
                {
                    "id": i,
                    "email": fake.unique.email(),
                    "full_name": fake.name(),
                    "passport": _passport(rng),
                }
                for i in range(1, rows + 1)
            ],
        )
        connection.execute(
            orders.insert(),
            [
                {
                    "id": i,
                    "customer_id": rng.randint(1, rows),
                    "order_number": _order_number(rng),
                    "plan": rng.choice(["basic", "pro"]),
                }
                for i in range(1, rows + 1)
            ],
        )
    engine.dispose()


@pytest.fixture
def shop(any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Register:
    _shop_database(any_database)
    monkeypatch.setenv("SHOP_DATABASE_URL", any_database)
    path = tmp_path / "register.yaml"
    path.write_text(SHOP, encoding="utf-8")
    return load_register(path)


def test_an_undeclared_passport_column_is_reported_with_its_category(shop: Register) -> None:
    report = scan_register(shop, rows=100)
    assert report.problems == []
    found = [f for f in report.findings if (f.table, f.column) == ("customers", "passport")]
    assert [(f.kind, f.level, f.category) for f in found] == [
        ("undeclared", "error", "identity.document")
    ]
    assert found[0].evidence["evidence"] == "name+content"
    assert found[0].evidence["sampled"] == 100  # a sample, drawn from 120 rows


def test_sixteen_digit_order_numbers_that_fail_luhn_are_not_a_card_column(shop: Register) -> None:
    report = scan_register(shop, rows=200)
    column = next(
        c.result for c in report.columns if (c.table, c.result.name) == ("orders", "order_number")
    )
    assert column.non_empty == 120
    assert "financial.card" not in column.categories
    assert "card" not in column.content
    assert not [f for f in report.findings if f.column == "order_number"]
    # declared columns that hold what they say raise nothing
    assert not [f for f in report.findings if f.column in ("email", "full_name", "plan")]


ACR_TABLES = """
CREATE TABLE accounts (id INTEGER PRIMARY KEY, name VARCHAR(200), email VARCHAR(200),
  phone VARCHAR(40), company VARCHAR(200), country VARCHAR(2), password_hash VARCHAR(200),
  language VARCHAR(8));
CREATE TABLE inquiries (id INTEGER PRIMARY KEY, name VARCHAR(200), email VARCHAR(200),
  phone VARCHAR(40), company VARCHAR(200), country VARCHAR(2), message TEXT,
  created_at TIMESTAMP)
"""


def test_a_card_number_inside_a_support_ticket_is_found_for_acrcloud(
    any_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = Faker("en_US")
    Faker.seed(9)
    engine = sa.create_engine(any_database)
    with engine.begin() as connection:
        for statement in ACR_TABLES.split(";"):
            connection.execute(sa.text(statement))
        messages = [fake.paragraph(nb_sentences=4) for _ in range(40)]
        messages[23] = (
            "Hello, my payment failed twice. The card is 4111 1111 1111 1111, exp 12/29. "
            "Could you check what went wrong with the subscription renewal?"
        )
        connection.execute(
            sa.text(
                "INSERT INTO inquiries (id, name, email, phone, company, country, message) "
                "VALUES (:id, :name, :email, NULL, :company, 'US', :message)"
            ),
            [
                {
                    "id": i,
                    "name": fake.name(),
                    "email": fake.email(),
                    "company": fake.company(),
                    "message": m,
                }
                for i, m in enumerate(messages, 1)
            ],
        )
    engine.dispose()
    monkeypatch.setenv("ACRCLOUD_WEB_DATABASE_URL", any_database)
    register = load_register(EXAMPLES / "acrcloud" / "register.yaml")
    assert "financial.card" in register.policy.unsolicited_categories
    report = scan_register(register, datastores=["web"])
    card = [f for f in report.findings if f.category == "financial.card"]
    assert [(f.kind, f.level, f.table, f.column) for f in card] == [
        ("unsolicited", "error", "inquiries", "message")
    ]
    assert card[0].evidence["rows_with_it"] == 1
    assert "4111" not in str(card[0].as_dict())  # counts, never the value
