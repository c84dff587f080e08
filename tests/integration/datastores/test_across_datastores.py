"""Identifiers learned from the subject's account in one datastore search every other one."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from steward.datastores import ExecutionRequest, execute
from steward.datastores.executor import forget_connections
from steward.register import load_register
from steward.store.db import make_engine, session_factory, upgrade

REGISTER = """
steward: 1
operator:
  id: tel
  legal_name: Tel Ltd
  names: {en: Tel}
  country: RU
  contacts: {privacy_email: privacy@tel.example, postal_address: "1 Tel St"}
  jurisdictions: [eu-gdpr]
  languages: [en]
subjects:
  - {id: customer, names: {en: Customer}}
purposes:
  - id: service
    names: {en: Service}
    descriptions: {en: The service.}
    basis: contract
    categories: [contact, communications]
    subjects: [customer]
datastores:
  - id: telephony  # listed first: the accounts it needs the phone from come later
    kind: sqlite
    connection: {url: "sqlite:///TEL"}
    location: RU
    tables:
      - name: recordings
        identity: {caller: phone}
        columns: {caller: contact.phone, audio: communications.call_recording}
        purposes: [service]
  - id: app
    kind: sqlite
    connection: {url: "sqlite:///APP"}
    location: RU
    tables:
      - name: accounts
        subject: customer
        identity: {email: email, phone: phone}
        columns: {email: contact.email, phone: contact.phone}
        purposes: [service]
"""


def test_an_erasure_by_e_mail_reaches_recordings_kept_by_phone_in_another_database(
    tmp_path: Path,
) -> None:
    app, tel = tmp_path / "app.db", tmp_path / "tel.db"
    with sqlite3.connect(app) as db:
        db.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT, phone TEXT)")
        db.execute("INSERT INTO accounts VALUES (1, 'ann@x.example', '+7 912 345-67-89')")
        db.execute("INSERT INTO accounts VALUES (2, 'ben@x.example', '+79120000002')")
    with sqlite3.connect(tel) as db:
        db.execute("CREATE TABLE recordings (id INTEGER PRIMARY KEY, caller TEXT, audio TEXT)")
        db.execute("INSERT INTO recordings VALUES (1, '89123456789', 'a.wav')")
        db.execute("INSERT INTO recordings VALUES (2, '+79120000002', 'b.wav')")
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER.replace("TEL", str(tel)).replace("APP", str(app)), encoding="utf-8")
    register = load_register(path)
    store = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(store)
    factory = session_factory(store)
    forget_connections()
    result = execute(
        factory,
        register,
        ExecutionRequest("erasure", {"email": "ann@x.example"}, "E-1"),
        secret=b"k",
        today=date(2026, 11, 22),
    )
    forget_connections()
    with sqlite3.connect(tel) as db:
        left = [r[0] for r in db.execute("SELECT id FROM recordings ORDER BY id")]
    assert left == [2], "Ann's recording (kept by phone in another database) was not erased"
    assert result["residual"] == 0
    with sqlite3.connect(app) as db:
        assert [r[0] for r in db.execute("SELECT id FROM accounts")] == [2]


@pytest.fixture(autouse=True)
def _forget() -> None:
    forget_connections()
