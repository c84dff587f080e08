"""Tables nobody designed for discovery: spaces in names, JSON, binary, huge and broken text."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.mysql import LONGTEXT

from steward.discovery.scan import scan_register
from steward.register import load_register

from .test_scan_datastores import SHOP


def test_awkward_tables_are_scanned_with_notes_and_never_crash(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = sa.create_engine(any_database)
    meta = sa.MetaData()
    items = sa.Table(
        "order items",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("Customer E-mail", sa.String(200)),
        sa.Column("payload", sa.JSON),
        sa.Column("photo", sa.LargeBinary),
        sa.Column("notes", sa.Text().with_variant(LONGTEXT(), "mysql", "mariadb")),
    )
    sa.Table("customers", meta, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("orders", meta, sa.Column("id", sa.Integer, primary_key=True))
    meta.create_all(engine)
    huge = "lorem ipsum dolor sit amet " * 12_000 + " card 4111 1111 1111 1111"
    with engine.begin() as connection:
        connection.execute(
            items.insert(),
            [
                {
                    "id": i,
                    "Customer E-mail": f"buyer{i}@example.net",
                    "payload": {"contact": {"email": f"json{i}@example.org"}, "n": i},
                    "photo": bytes(range(256)) * 4,
                    "notes": huge if i == 1 else f"delivered on time, thanks a lot {i} times",
                }
                for i in range(1, 31)
            ],
        )
        if engine.dialect.name == "sqlite":  # SQLite keeps invalid UTF-8 in a TEXT column
            connection.execute(
                sa.text(
                    "UPDATE \"order items\" SET notes = CAST(X'6361726420ff34313131' AS TEXT) "
                    "WHERE id = 2"
                )
            )
    engine.dispose()
    monkeypatch.setenv("SHOP_DATABASE_URL", any_database)
    path = tmp_path / "register.yaml"
    path.write_text(SHOP, encoding="utf-8")
    report = scan_register(load_register(path))
    assert report.problems == []
    columns = {c.result.name: c.result for c in report.columns if c.table == "order items"}
    assert columns["Customer E-mail"].categories == {"contact.email": "name+content"}
    assert columns["payload"].in_text == {"contact.email": 30}  # a JSON document is text
    assert columns["photo"].mode == "skipped" and columns["photo"].notes == ["binary column"]
    notes = columns["notes"]
    assert "values cut at 65536 characters" in notes.notes
    assert notes.in_text == {}  # the card lay past the cut
    if any_database.startswith("sqlite"):
        assert "invalid UTF-8 in values; scanned with the bad bytes replaced" in notes.notes
    undeclared = {(f.table, f.column, f.category) for f in report.findings}
    assert ("order items", "Customer E-mail", "contact.email") in undeclared
    assert ("order items", "payload", "contact.email") in undeclared
