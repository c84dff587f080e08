"""Steward's connections to an operator's PostgreSQL reuse the plans of its prepared statements.

Before, every statement was planned again for its values (a custom plan), which cost the
server several times the statement itself on the bench (``docs/performance.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from steward.datastores.connect import datastore_engine
from steward.register import load_register

REGISTER = """
steward: 1
operator:
  id: plans
  legal_name: Plans LLC
  names: {en: Plans}
  country: RU
  contacts: {privacy_email: privacy@plans.example, postal_address: "1 Plan St"}
  jurisdictions: [eu-gdpr]
  languages: [en]
subjects:
  - id: customer
    names: {en: Customer}
purposes:
  - id: service
    names: {en: Service}
    descriptions: {en: The service.}
    basis: contract
    categories: [contact.email]
    subjects: [customer]
    retention: {duration: P1Y}
datastores:
  - id: app
    kind: postgresql
    connection: {env: PLANS_DB_URL}
    location: RU
    tables: []
"""


def test_steward_connections_use_generic_plans(
    postgres_database: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_database()
    monkeypatch.setenv("PLANS_DB_URL", url)
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER, encoding="utf-8")
    engine = datastore_engine(load_register(path).datastores[0])
    try:
        for _ in range(2):  # a pooled connection keeps it after a transaction rolled back
            with engine.connect() as connection:
                mode = connection.exec_driver_sql("SHOW plan_cache_mode").scalar_one()
                connection.rollback()
            assert mode == "force_generic_plan"
        other = sa.create_engine(url)
        with other.connect() as connection:  # the server's default is left alone
            assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar_one() == "auto"
        other.dispose()
    finally:
        engine.dispose()
