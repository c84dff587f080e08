"""The completion e-mail says which rows a request left because they are someone else's too."""

from __future__ import annotations

from typing import Any

from steward.requests import report
from steward.requests.results import RunResult


def _summary(kind: str, tables: list[dict[str, Any]]) -> dict[str, Any]:
    stores = [{"datastore": "shop", "tables": tables}]
    return {"run": 1, "kind": kind, "dry_run": False, "datastores": stores}


def test_a_restriction_names_the_shared_rows_it_left_in_use() -> None:
    result = RunResult.from_summary(
        _summary(
            "restriction",
            [
                {"table": "orders", "found": 1, "restricted": 1, "shared": 1},
                {"table": "addresses", "found": 0, "restricted": 0, "shared": 1},
                {"table": "customers", "found": 1, "restricted": 1, "shared": 0},
            ],
        )
    )
    text = report.of(result, "en")
    assert "Restricted (kept, no longer used): 2 records." in text
    assert "- 1 record in addresses." in text and "- 1 record in orders." in text
    assert "customers" not in text
    assert "someone else" in text and "not restricted" in text.lower()
    ru = report.of(result, "ru")
    assert "addresses" in ru and "orders" in ru and "customers" not in ru


def test_an_erasure_names_the_shared_rows_it_left() -> None:
    result = RunResult.from_summary(
        _summary("erasure", [{"table": "orders", "found": 2, "deleted": 1, "shared": 1}])
    )
    text = report.of(result, "en")
    assert "Erased: 1 record." in text
    assert "- 1 record in orders." in text and "not erased" in text.lower()


def test_nothing_shared_says_nothing_about_it() -> None:
    result = RunResult.from_summary(
        _summary("restriction", [{"table": "orders", "found": 1, "restricted": 1}])
    )
    assert "someone else" not in report.of(result, "en")
