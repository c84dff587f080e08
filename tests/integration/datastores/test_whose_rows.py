"""Whose rows a request touches: subject kinds, shared rows, declared references, directions.

On the shop of ``shop_schema.py`` (staff and customers in one database, an order paid with a
flatmate's card), with foreign keys and without any, on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from steward.datastores.executor import (
    DatastoreOutcome,
    ExecutionRequest,
    forget_connections,
    run_on_datastore,
)
from steward.datastores.identity import Identifiers
from steward.register import load_register
from steward.register.models import Register

from .shop_schema import ddl, fill, register_yaml

TODAY = date(2026, 11, 22)
Snapshot = dict[str, dict[Any, tuple[Any, ...]]]


class Shop:
    def __init__(self, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fks: bool):
        self.engine = sa.create_engine(url)
        self.dialect = self.engine.dialect.name
        self.fks = fks
        self.tmp_path = tmp_path
        with self.engine.begin() as connection:
            for statement in ddl(self.dialect, fks=fks):
                connection.exec_driver_sql(statement)
            fill(connection)
        monkeypatch.setenv("SHOP_DB_URL", url)
        self.kind = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}[
            self.dialect
        ]
        self.register = self.load()

    def load(self, directions: dict[str, str] | None = None) -> Register:
        path = self.tmp_path / f"register-{len(directions or {})}.yaml"
        text = register_yaml(self.kind, "SHOP_DB_URL", fks=self.fks, directions=directions)
        path.write_text(text, encoding="utf-8")
        forget_connections()
        return load_register(path)

    def run(
        self,
        kind: str,
        identifiers: dict[str, str],
        subject: str | None = None,
        register: Register | None = None,
    ) -> DatastoreOutcome:
        register = register or self.register
        return run_on_datastore(
            register,
            register.datastores[0],
            ExecutionRequest(kind, identifiers, "T", subject=subject),  # type: ignore[arg-type]
            Identifiers.parse(identifiers, "RU"),
            secret=b"k",
            today=TODAY,
        )

    def snapshot(self) -> Snapshot:
        meta = sa.MetaData()
        meta.reflect(self.engine)
        shot: Snapshot = {}
        with self.engine.connect() as connection:
            for table in meta.tables.values():
                rows = connection.execute(sa.select(table)).mappings()
                shot[table.name] = {r["id"]: tuple(r.values()) for r in rows}
        return shot


@pytest.fixture(params=[True, False], ids=["foreign-keys", "declared-only"])
def shop(
    request: pytest.FixtureRequest,
    any_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Shop]:
    built = Shop(any_database, tmp_path, monkeypatch, fks=request.param)
    yield built
    forget_connections()
    built.engine.dispose()


def _keys(outcome: DatastoreOutcome) -> dict[str, set[Any]]:
    return {t: {r["id"] for r in rows} for t, rows in outcome.rows.items() if rows}


def _changed(before: Snapshot, after: Snapshot) -> dict[str, set[Any]]:
    changed: dict[str, set[Any]] = {}
    for table, rows in before.items():
        diff = {k for k, row in rows.items() if after[table].get(k) != row}
        if diff:
            changed[table] = diff
    return changed


def test_an_employees_erasure_never_touches_a_customers_rows(shop: Shop) -> None:
    """Sam (employee 3) handled rentals and orders; customer 3 is Cat, another kind."""
    before = shop.snapshot()
    outcome = shop.run("erasure", {"account-id": "3"}, subject="employee")
    after = shop.snapshot()
    assert _changed(before, after) == {"staff": {3}}, "only Sam's own row may change"
    staff = after["staff"][3]
    assert "Sam" not in staff and "sam@shop.example" not in staff, "Sam's row was not masked"
    by_table = {t.table: t for t in outcome.tables}
    assert set(by_table) == {"staff"}
    assert by_table["staff"].masked == 1, "rentals refer to Sam's row: it stays, masked"
    assert outcome.residual == 0


def test_account_ids_of_two_kinds_never_collide(shop: Shop) -> None:
    as_customer = _keys(shop.run("access", {"account-id": "3"}, subject="customer"))
    assert as_customer == {
        "customers": {3},
        "addresses": {2},
        "orders": {103},
        "rentals": {2},
        "invoices": {2},
    }
    assert _keys(shop.run("access", {"account-id": "3"}, subject="employee")) == {"staff": {3}}
    # without a kind the request is for the register's default (policy.requests.subject)
    assert _keys(shop.run("access", {"account-id": "3"})) == as_customer


def test_an_order_paid_with_anothers_card_is_shared_and_never_erased(shop: Shop) -> None:
    before = shop.snapshot()
    outcome = shop.run("erasure", {"email": "ann@example.com"})
    after = shop.snapshot()
    changed = _changed(before, after)
    assert changed == {
        "customers": {1},  # masked: her held invoice refers to her
        "cards": {10},  # masked: Ben's order 101 was paid with it
        "orders": {100},
        "order_items": {1000},
        "rentals": {1},
    }, changed
    for table, key in (("orders", 100), ("order_items", 1000), ("rentals", 1)):
        assert key not in after[table], f"{table} {key} of Ann's was not deleted"
    assert "4111 1111 1111 1111" not in after["cards"][10]
    by_table = {t.table: t for t in outcome.tables}
    assert by_table["orders"].shared == 1 and by_table["orders"].deleted == 1
    assert by_table["order_items"].shared == 1
    assert by_table["addresses"].shared == 1
    assert by_table["cards"].masked == 1 and by_table["cards"].deleted == 0
    assert by_table["invoices"].held == 1
    assert outcome.residual == 0


def test_access_marks_shared_rows_and_never_exports_anothers_row(shop: Shop) -> None:
    ann = shop.run("access", {"email": "ann@example.com"})
    assert _keys(ann) == {
        "customers": {1},
        "addresses": {1},
        "cards": {10},
        "orders": {100, 101},
        "order_items": {1000, 1001},
        "rentals": {1},
        "invoices": {1},
    }
    assert ann.shared == {"addresses": [[1]], "orders": [[101]], "order_items": [[1001]]}
    ben = shop.run("access", {"email": "ben@example.com"})
    assert 10 not in _keys(ben).get("cards", set()), "Ann's card is not Ben's"
    assert _keys(ben)["cards"] == {11}
    assert _keys(ben)["orders"] == {101, 102}
    assert ben.shared["orders"] == [[101]]


def test_a_reference_with_a_direction_does_not_make_the_order_the_card_holders(
    shop: Shop,
) -> None:
    register = shop.load({"orders.card_id": "to"})
    ann = shop.run("access", {"email": "ann@example.com"}, register=register)
    assert _keys(ann)["orders"] == {100}, "Ben's order is not Ann's because she paid for it"
    assert "order_items" in _keys(ann) and _keys(ann)["order_items"] == {1000}
    before = shop.snapshot()
    shop.run("erasure", {"email": "ben@example.com"}, register=register)
    after = shop.snapshot()
    assert 101 not in after["orders"] and 1001 not in after["order_items"]
    assert after["cards"][10] == before["cards"][10], "Ann's card was touched"
    assert set(_changed(before, after)) == {
        "customers",
        "cards",
        "orders",
        "order_items",
        "rentals",
    }
    assert _changed(before, after)["cards"] == {11}


def test_a_declared_reference_keeps_the_row_a_held_row_refers_to(shop: Shop) -> None:
    """Cat's invoice is held; it refers to her account through a foreign key or, without
    foreign keys, only through the register's reference: either way the account stays."""
    shop.run("erasure", {"email": "cat@example.com"})
    after = shop.snapshot()
    assert 3 in after["customers"], "the account a held invoice refers to was deleted"
    assert "Cat" not in after["customers"][3]
    assert after["invoices"][2] == (2, 3, 70, date(2026, 6, 1))
    assert after["staff"][3][2] == "Sam", "the employee who handled her order changed"


def _report(shop: Shop, identifiers: dict[str, str], subject: str) -> tuple[dict[str, Any], str]:
    import io
    import json
    import zipfile

    from steward.datastores.export import build_zip

    outcome = shop.run("access", identifiers, subject=subject)
    blob = build_zip(shop.register, [outcome], reference="R-1", language="en", subject=subject)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return json.loads(archive.read("data.json")), archive.read("report.html").decode()


def test_the_access_report_lists_only_this_kinds_purposes_and_recipients(shop: Shop) -> None:
    data, html = _report(shop, {"email": "ann@example.com"}, "customer")
    purposes = {p for c in data["categories"] for p in c["purposes"]}
    recipients = {r for c in data["categories"] for r in c["recipients"]}
    assert purposes == {"Sales", "Accounting"} and recipients == {"Courier Co"}
    assert "Payroll" not in html and "Staffing" not in html
    data, html = _report(shop, {"email": "sam@shop.example"}, "employee")
    assert {p for c in data["categories"] for p in c["purposes"]} == {"Staffing"}
    assert {r for c in data["categories"] for r in c["recipients"]} == {"Payroll Co"}
    assert "Courier" not in html


def test_the_access_report_marks_the_rows_shared_with_others(shop: Shop) -> None:
    data, html = _report(shop, {"email": "ann@example.com"}, "customer")
    # the rows (by position in datastores.<id>.<table>) that belong to someone else too
    assert data["shared"] == {"shop.addresses": [0], "shop.orders": [1], "shop.order_items": [1]}
    orders = data["datastores"]["shop"]["orders"]
    assert orders[1]["id"]["value"] == 101
    assert html.count("shared with someone else") == 3


def _undo_masks_of_names(shop: Shop) -> None:
    """A trigger that keeps every customer's name whatever an UPDATE says."""
    statements = {
        "postgresql": [
            """CREATE FUNCTION keep_name() RETURNS trigger AS $$
               BEGIN NEW.name := OLD.name; RETURN NEW; END $$ LANGUAGE plpgsql""",
            """CREATE TRIGGER keep_name BEFORE UPDATE ON customers
               FOR EACH ROW EXECUTE FUNCTION keep_name()""",
        ],
        "mysql": [
            "CREATE TRIGGER keep_name BEFORE UPDATE ON customers "
            "FOR EACH ROW SET NEW.name = OLD.name"
        ],
        "sqlite": [
            """CREATE TRIGGER keep_name AFTER UPDATE OF name ON customers
               WHEN NEW.name IS NOT OLD.name
               BEGIN UPDATE customers SET name = OLD.name WHERE id = NEW.id; END"""
        ],
    }[shop.dialect]
    with shop.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def test_the_check_after_an_erasure_says_per_table_what_is_left_and_why(shop: Shop) -> None:
    outcome = shop.run("erasure", {"email": "ann@example.com"})
    left = {t.table: t.left for t in outcome.tables}
    assert left["invoices"] == {"held": 1, "masked": 0, "shared": 0, "residual": 0}
    assert left["customers"] == {"held": 0, "masked": 1, "shared": 0, "residual": 0}
    assert left["cards"] == {"held": 0, "masked": 1, "shared": 0, "residual": 0}
    assert left["orders"] == {"held": 0, "masked": 0, "shared": 1, "residual": 0}
    assert left["addresses"] == {"held": 0, "masked": 0, "shared": 1, "residual": 0}
    assert left["rentals"] == {"held": 0, "masked": 0, "shared": 0, "residual": 0}
    assert outcome.residual == 0


def test_a_mask_a_trigger_undid_is_residual_though_the_e_mail_no_longer_matches(
    shop: Shop,
) -> None:
    _undo_masks_of_names(shop)
    outcome = shop.run("erasure", {"email": "ann@example.com"})
    assert shop.snapshot()["customers"][1][2] == "Ann", "the trigger did not keep the name"
    left = {t.table: t.left for t in outcome.tables}
    assert left["customers"] == {"held": 0, "masked": 0, "shared": 0, "residual": 1}
    assert outcome.residual == 1


def test_a_delete_a_trigger_skipped_is_residual(shop: Shop) -> None:
    if shop.dialect == "mysql":
        pytest.skip("a MariaDB trigger cannot skip a DELETE without failing it")
    statement = {
        "sqlite": """CREATE TRIGGER keep_rentals BEFORE DELETE ON rentals
                     BEGIN SELECT RAISE(IGNORE); END""",
        "postgresql": """CREATE FUNCTION keep_rentals() RETURNS trigger AS $$
                         BEGIN RETURN NULL; END $$ LANGUAGE plpgsql;
                         CREATE TRIGGER keep_rentals BEFORE DELETE ON rentals
                         FOR EACH ROW EXECUTE FUNCTION keep_rentals()""",
    }[shop.dialect]
    with shop.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    outcome = shop.run("erasure", {"email": "ann@example.com"})
    assert 1 in shop.snapshot()["rentals"], "the trigger did not keep the rental"
    left = {t.table: t.left for t in outcome.tables}
    assert left["rentals"] == {"held": 0, "masked": 0, "shared": 0, "residual": 1}
    assert outcome.residual == 1


def test_a_restriction_restricts_only_the_subjects_own_rows_and_says_which_it_left(
    shop: Shop,
) -> None:
    """Ann's restriction: her own orders are restricted; the order Ben placed with her card,
    its item and the address she shares with a flatmate are theirs too, so restricting them
    would stop the processing of someone who asked nothing. They are left in use, and the
    result says so per table."""
    before = shop.snapshot()
    outcome = shop.run("restriction", {"email": "ann@example.com"})
    assert _changed(before, shop.snapshot()) == {}, "the shop has no restriction flag column"
    by_table = {t.table: t for t in outcome.tables}
    restricted = {t: {k[0] for k in o.restricted_keys} for t, o in by_table.items()}
    assert restricted["orders"] == {100} and restricted["order_items"] == {1000}
    assert restricted.get("addresses", set()) == set()
    assert (by_table["orders"].restricted, by_table["orders"].shared) == (1, 1)
    assert (by_table["order_items"].restricted, by_table["order_items"].shared) == (1, 1)
    assert (by_table["addresses"].restricted, by_table["addresses"].shared) == (0, 1)
    assert by_table["customers"].shared == 0
