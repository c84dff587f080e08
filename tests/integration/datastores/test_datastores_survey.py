"""`steward datastores test` says, before any request runs, what a request would get wrong.

Before, it only compared names: a mask the database refuses was met by the first erasure, a
personal table no identity or link reaches was silently never searched, a legal-obligation
table without a date held its rows "until unknown", and a table without any purpose was
erased as if nothing kept it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from steward.cli import app
from steward.datastores.executor import forget_connections

DDL = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(100), "
    "nickname VARCHAR(40) NOT NULL, CONSTRAINT nick_real CHECK (nickname NOT LIKE '[%'))",
    """CREATE TABLE orders (id INTEGER PRIMARY KEY,
       customer_id INTEGER NOT NULL REFERENCES customers(id), note VARCHAR(100))""",
    # personal, but nothing leads to it: no identity column, no link to a subject's row
    "CREATE TABLE loose_notes (id INTEGER PRIMARY KEY, author VARCHAR(100), body VARCHAR(200))",
    # accounting records without a date to count the hold from, and no dated parent
    """CREATE TABLE receipts (id INTEGER PRIMARY KEY,
       customer_id INTEGER NOT NULL REFERENCES customers(id), amount INTEGER NOT NULL)""",
    """CREATE TABLE tags (id INTEGER PRIMARY KEY,
       customer_id INTEGER NOT NULL REFERENCES customers(id), label VARCHAR(30))""",
    "INSERT INTO customers VALUES (1, 'anna@x.example', 'Annushka')",
]

REGISTER = """
steward: 1
operator:
  id: survey
  legal_name: Survey LLC
  names: {{en: Survey}}
  country: RU
  contacts: {{privacy_email: privacy@survey.example, postal_address: "1 Test St"}}
  jurisdictions: [ru-152fz]
  languages: [en]
subjects:
  - id: customer
    names: {{en: Customer}}
purposes:
  - id: service
    names: {{en: Service}}
    descriptions: {{en: The service.}}
    basis: contract
    categories: [contact, identity.name, content]
    subjects: [customer]
    retention: {{duration: P1Y, from: contract-end}}
  - id: accounting
    names: {{en: Accounting}}
    descriptions: {{en: Accounting law.}}
    basis: legal-obligation
    categories: [financial.transactions]
    subjects: [customer]
    retention: {{duration: P5Y, from: year-end}}
datastores:
  - id: app
    kind: {kind}
    connection: {{env: SURVEY_DB_URL}}
    location: RU
    tables:
      - name: customers
        subject: customer
        identity: {{email: email}}
        columns: {{email: contact.email, nickname: identity.name}}
        on_erasure: anonymise
        purposes: [service]
      - name: orders
        columns: {{note: content}}
        purposes: [service]
      - name: loose_notes
        columns: {{author: identity.name, body: content}}
        purposes: [service]
      - name: receipts
        columns: {{amount: financial.transactions}}
        purposes: [accounting]
      - name: tags
        columns: {{label: usage.pages}}
"""


@pytest.fixture
def survey(any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    engine = sa.create_engine(any_database)
    with engine.begin() as connection:
        for statement in DDL:
            connection.execute(sa.text(statement))
    kind = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}
    monkeypatch.setenv("SURVEY_DB_URL", any_database)
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER.format(kind=kind[engine.dialect.name]), encoding="utf-8")
    yield path
    forget_connections()
    engine.dispose()


def test_datastores_test_reports_what_requests_would_get_wrong(survey: Path) -> None:
    result = CliRunner().invoke(app, ["datastores", "test", str(survey)])
    text = result.output
    assert result.exit_code == 1, text
    lines = text.splitlines()

    def line(start: str) -> str:
        found = [entry for entry in lines if entry.startswith(start)]
        assert found, f"no line starts with {start!r} in:\n{text}"
        return found[0]

    assert "nick_real" in line("app.customers: the mask of nickname")
    assert "Annushka" not in text
    assert "no identity column and no link" in line("app.loose_notes:")
    assert "no date to count" in line("app.receipts:")
    assert "no purpose" in line("app.tags:")
    assert not [entry for entry in lines if entry.startswith("app.orders:")], text
