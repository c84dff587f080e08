"""Subject kinds in the register: whose data each table is, and which kind a request is for."""

from __future__ import annotations

import pytest

from steward.register import check_bytes
from steward.register.models import Register

BASE = """
steward: 1
operator:
  id: shop
  legal_name: Shop Ltd
  names: {en: Shop}
  country: DE
  contacts: {privacy_email: privacy@shop.example, postal_address: "1 Shop St"}
  jurisdictions: [eu-gdpr]
  languages: [en]
subjects:
  - {id: visitor, names: {en: Visitor}}
  - {id: customer, names: {en: Customer}}
  - {id: employee, names: {en: Employee}}
purposes:
  - id: sales
    names: {en: Sales}
    descriptions: {en: Selling.}
    basis: contract
    categories: [contact.email, content]
    subjects: [customer]
    retention: {duration: P1Y}
  - id: security
    names: {en: Security}
    descriptions: {en: Logs.}
    basis: legitimate-interests
    categories: [usage]
    subjects: [customer, employee]
    retention: {duration: P1Y}
datastores:
  - id: app
    kind: sqlite
    connection: {url: "sqlite:///app.db"}
    location: DE
    tables:
      - {name: customers, subject: customer, identity: {email: email},
         columns: {email: contact.email}, purposes: [sales]}
      - {name: staff, subject: employee, identity: {email: email},
         columns: {email: contact.email}, purposes: [sales]}
      - {name: orders, columns: {note: content}, purposes: [sales]}
      - {name: logins, columns: {page: usage}, purposes: [security]}
"""


def _check(text: str) -> tuple[Register | None, list[str]]:
    result = check_bytes(text.encode(), "register.yaml")
    return result.register, [p.format() for p in result.problems]


def test_a_table_is_the_data_of_its_purposes_subjects_unless_it_says() -> None:
    register, _ = _check(BASE)
    assert register is not None
    tables = {t.name: t for t in register.datastores[0].tables}
    assert register.table_kinds(tables["customers"]) == {"customer"}
    assert register.table_kinds(tables["orders"]) == {"customer"}
    assert register.table_kinds(tables["logins"]) == {"customer", "employee"}
    said, _ = _check(
        BASE.replace(
            "purposes: [security]}", "purposes: [security],\n         belongs_to: [employee]}"
        )
    )
    assert said is not None
    assert said.table_kinds(said.datastores[0].tables[3]) == {"employee"}


def test_check_warns_where_two_kinds_with_accounts_leave_a_table_ambiguous() -> None:
    _, found = _check(BASE)
    problems = sorted(found, key=lambda p: p.split(": ", 2)[1])
    assert [p.split(": ", 2)[1] for p in problems] == ["warning[L007]", "warning[L008]"]
    assert "table 'logins' may hold the data of customer or employee" in problems[0]
    assert "belongs_to: [customer]" in problems[0]
    assert problems[0].startswith("register.yaml:41:9:")
    assert "policy: {requests: {subject: customer}}" in problems[1]
    fixed = BASE.replace("purposes: [security]}", "purposes: [security], belongs_to: [employee]}")
    fixed += "policy:\n  requests: {subject: customer}\n"
    register, problems = _check(fixed)
    assert problems == []
    assert register is not None and register.default_subject() == "customer"


def test_the_default_subject_is_the_first_kind_with_an_account_table() -> None:
    register, _ = _check(BASE)
    assert register is not None
    assert register.default_subject() == "customer", "visitor has no account table"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("purposes: [security]}", "purposes: [security], belongs_to: [employe]}"), "belongs_to"),
        (("steward: 1", "steward: 1\npolicy: {requests: {subject: staff}}"), "subject"),
    ],
)
def test_an_unknown_subject_kind_is_an_error_that_names_the_known_ones(
    change: tuple[str, str], where: str
) -> None:
    register, problems = _check(BASE.replace(*change))
    assert register is None
    errors = [p for p in problems if "error[E111]" in p]
    assert len(errors) == 1, problems
    assert "employee" in errors[0]
