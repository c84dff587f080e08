"""Each kind of mistake yields exit 1 and a FILE:LINE:COL message that says what would be right.

Every case edits one spot of a valid register (``data/base.yaml``). The edited line carries the
marker ``#<`` so the expected line number comes from the text, not from a hard-coded number;
``at`` is the token whose column the problem must point to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from steward.cli import app

BASE = (Path(__file__).parent / "data" / "base.yaml").read_text(encoding="utf-8")
runner = CliRunner()


@dataclass(frozen=True)
class Case:
    id: str
    old: str
    new: str
    at: str  # token on the marked line where the problem points
    says: str  # text the message must contain
    strict: bool = False


CASES = [
    Case(
        "unknown-category",
        "categories: [contact, identity.name, account,",
        "categories: [contact, identity.nmae, account, #<\n     ",
        "identity.nmae",
        "did you mean 'identity.name'",
    ),
    Case(
        "bad-duration",
        "retention: {duration: P3Y, from: contract-end}",
        "retention: {duration: 3 years, from: contract-end} #<",
        "3 years",
        "ISO 8601 duration such as P30D",
    ),
    Case(
        "misspelt-field",
        '    basis_reference: "GDPR Art. 6(1)(b); 152-FZ Art. 6 p.1(5)"',
        "    basis_refrence: x #<",
        "basis_refrence",
        "did you mean 'basis_reference'",
    ),
    Case(
        "missing-legal-name",
        "  legal_name: Polar Tea LLC\n",
        "",
        "id: polar-tea",
        "missing required field 'legal_name'",
    ),
    Case(
        "unknown-basis",
        "    basis: contract\n",
        "    basis: contractual #<\n",
        "contractual",
        "'contract'",
    ),
    Case(
        "unknown-jurisdiction",
        "jurisdictions: [ru-152fz, eu-gdpr]",
        "jurisdictions: [ru-152fz, gdpr] #<",
        "gdpr",
        "'eu-gdpr'",
    ),
    Case(
        "bad-country",
        "  country: RU\n  contacts:",
        "  country: RUS #<\n  contacts:",
        "RUS",
        "ISO 3166-1 alpha-2",
    ),
    Case(
        "bad-email",
        "privacy_email: privacy@polar-tea.example",
        "privacy_email: privacy-at-polar-tea #<",
        "privacy-at",
        "@-sign",
    ),
    Case(
        "duplicate-purpose-id",
        "  - id: accounting",
        "  - id: orders #<",
        "orders",
        "duplicate id 'orders'",
    ),
    Case(
        "duplicate-yaml-key",
        "    basis: contract\n",
        "    basis: contract\n    basis: consent #<\n",
        "basis",
        "duplicate key 'basis'",
    ),
    Case(
        "unknown-subject",
        "    subjects: [customer]\n    sources: [subject]\n    retention: {duration: P3Y",
        "    subjects: [customr] #<\n    sources: [subject]\n    retention: {duration: P3Y",
        "customr",
        "did you mean 'customer'",
    ),
    Case(
        "unknown-recipient",
        "recipients: [courier]",
        "recipients: [courrier] #<",
        "courrier",
        "did you mean 'courier'",
    ),
    Case(
        "cookie-unknown-purpose",
        "    purpose: analytics\n    lifetime: P1Y\n    party: third",
        "    purpose: analytic #<\n    lifetime: P1Y\n    party: third",
        "analytic",
        "did you mean 'analytics'",
    ),
    Case(
        "consent-unknown-purpose",
        "      purpose: newsletter\n",
        "      purpose: newsleter #<\n",
        "newsleter",
        "did you mean 'newsletter'",
    ),
    Case(
        "password-in-url",
        "connection: {env: DEMO_APP_DATABASE_URL}",
        'connection: {url: "postgresql://app:hunter2@db/app"} #<',
        "{url",
        "contains a password",
    ),
    Case(
        "env-and-url",
        "connection: {env: DEMO_APP_DATABASE_URL}",
        'connection: {env: DEMO_APP_DATABASE_URL, url: "sqlite:///a.db"} #<',
        "{env",
        "exactly one of 'env'",
    ),
    Case(
        "bad-env-name",
        "connection: {env: DEMO_APP_DATABASE_URL}",
        "connection: {env: demo-url} #<",
        "demo-url",
        "environment variable name",
    ),
    Case(
        "missing-translation",
        "    names: {en: Customer, ru: Покупатель}",
        "    names: {en: Customer} #<",
        "{en",
        "no text in ru",
    ),
    Case(
        "custom-category-no-parent",
        "\npurposes:\n",
        "\ncategories:\n  - id: telegram #<\n    names: {en: Telegram, ru: Телеграм}\npurposes:\n",
        "telegram",
        "needs a parent",
    ),
    Case(
        "custom-category-redefines-builtin",
        "\npurposes:\n",
        "\ncategories:\n  - id: contact.email #<\n    names: {en: Mail, ru: Почта}\npurposes:\n",
        "contact.email",
        "built-in category",
    ),
    Case(
        "custom-category-unknown-parent",
        "\npurposes:\n",
        "\ncategories:\n  - id: contakt.telegram #<\n    names: {en: T, ru: Т}\npurposes:\n",
        "contakt.telegram",
        "did you mean 'contact'",
    ),
    Case(
        "reference-unknown-table",
        "- {columns: caller_phone, table: customers, to_columns: phone}",
        "- {columns: caller_phone, table: custmers, to_columns: phone} #<",
        "custmers",
        "did you mean 'customers'",
    ),
    Case(
        "reference-arity",
        "- {columns: caller_phone, table: customers, to_columns: phone}",
        "- {columns: [caller_phone, x], table: customers, to_columns: phone} #<",
        "{columns",
        "pairs them one to one",
    ),
    Case(
        "age-rule-inverted",
        "    - minimum: 14\n",
        "    - {minimum: 14, guardian_below: 10} #<\n",
        "{minimum",
        "must be above minimum",
    ),
    Case(
        "tab-indentation",
        "  country: RU\n  contacts:",
        "\tcountry: RU #<\n  contacts:",
        "\tcountry",
        "YAML syntax",
    ),
    Case(
        "unclosed-bracket",
        "jurisdictions: [ru-152fz, eu-gdpr]",
        "jurisdictions: [ru-152fz, eu-gdpr\n  languages: [en] #<",
        ": [en]",
        "YAML syntax",
    ),
    Case(
        "section-not-a-list",
        "\nsubjects:\n  - id: customer\n    names: {en: Customer, ru: Покупатель}\n"
        "  - id: visitor\n    names: {en: Website visitor, ru: Посетитель сайта}\n",
        "\nsubjects: customer #<\n",
        "customer",
        "must be a list",
    ),
    Case("bad-id", "  - id: orders\n", "  - id: Orders Page #<\n", "Orders Page", "lower-case id"),
    Case(
        "bad-inn-checksum",
        'ru_inn: "7707083893", ru_ogrn: "1027700132195"}',
        'ru_inn: "7707083894", ru_ogrn: "1027700132195"} #<',
        '"7707083894',
        "not a valid INN",
    ),
    Case(
        "withdrawal-retention-without-consent",
        "retention: {duration: P3Y, from: contract-end}",
        "retention: {duration: P3Y, from: consent-withdrawal} #<",
        "consent-withdrawal",
        "basis is 'contract'",
    ),
    Case(
        "mask-fixed-without-value",
        "          full_name: identity.name\n",
        "          full_name: {category: identity.name, mask: fixed} #<\n",
        "{category",
        "needs a 'value'",
    ),
    Case(
        "unknown-section",
        "\ncookies:\n",
        "\ncookie: [] #<\ncookies:\n",
        "cookie",
        "did you mean 'cookies'",
    ),
    Case("unsupported-version", "steward: 1\n", "steward: 2 #<\n", "2", "not supported"),
    Case(
        "unknown-column-category",
        "          phone: contact.phone\n",
        "          phone: contact.telephone #<\n",
        "contact.telephone",
        "did you mean 'contact.phone'",
    ),
    Case(
        "scalar-instead-of-list",
        "    subjects: [visitor, customer]",
        "    subjects: visitor #<",
        "visitor",
        "valid list",
    ),
    Case(
        "bad-retention-start",
        "retention: {duration: P3Y, from: contract-end}",
        "retention: {duration: P3Y, from: signup} #<",
        "signup",
        "'collection'",
    ),
    # Lint rules: warnings by default, errors with --strict.
    Case(
        "lint-no-retention",
        "    retention: {duration: P3Y, from: contract-end}\n",
        "",
        "id: orders",
        "has no retention",
        strict=True,
    ),
    Case(
        "lint-consent-without-item",
        "    basis: legitimate-interests\n",
        "    basis: consent #<\n",
        "consent",
        "no consent item",
        strict=True,
    ),
    Case(
        "lint-localization",
        "    location: RU\n",
        "    location: DE #<\n",
        "DE",
        "152-FZ Art. 18",
        strict=True,
    ),
    Case(
        "lint-transfer-without-basis",
        "    name: Fast Courier LLC\n    role: processor\n    country: RU",
        "    name: Fast Courier LLC\n    role: processor\n    country: US #<",
        "US",
        "no 'transfer_basis'",
        strict=True,
    ),
    Case(
        "lint-uncovered-category",
        "          password_hash: account.password\n",
        "          password_hash: identity.document #<\n",
        "identity.document",
        "no purpose covers",
        strict=True,
    ),
    Case(
        "lint-special-without-basis",
        "categories: [communications.call_recording, contact.phone]",
        "categories: [communications.call_recording, special.health] #<",
        "special.health",
        "needs a 'special_basis'",
        strict=True,
    ),
]


def _expected_line(text: str, case: Case) -> tuple[int, int]:
    lines = text.splitlines()
    if "#<" in case.new:
        index = next(i for i, line in enumerate(lines) if "#<" in line)
    else:  # the mistake is an absence: the problem points at the enclosing item
        start = BASE.index(case.old)
        anchor = BASE.rfind(case.at, 0, start)
        index = BASE.count("\n", 0, anchor)
    line = lines[index]
    column = line.index(case.at) + 1 if case.at in line else 1
    return index + 1, column


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_mistake_is_reported_at_its_line(case: Case, tmp_path: Path) -> None:
    assert BASE.count(case.old) == 1, f"case {case.id}: 'old' must match exactly once"
    text = BASE.replace(case.old, case.new)
    path = tmp_path / "register.yaml"
    path.write_text(text, encoding="utf-8")
    line, column = _expected_line(text, case)

    args = ["check", str(path)] + (["--strict"] if case.strict else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    problems = [row for row in result.output.splitlines() if row.startswith(f"{path}:")]
    located = [row for row in problems if row.startswith(f"{path}:{line}:")]
    assert located, f"nothing reported at line {line}:\n{result.output}"
    assert any(case.says in row for row in located), result.output
    assert any(row.startswith(f"{path}:{line}:{column}:") for row in located), (
        f"expected column {column}:\n{result.output}"
    )
    if case.strict:
        relaxed = runner.invoke(app, ["check", str(path)])
        assert relaxed.exit_code == 0, relaxed.output
        assert "warning[L" in relaxed.output


def test_every_mistake_in_a_file_is_reported_in_one_run(tmp_path: Path) -> None:
    text = BASE
    chosen = [
        c
        for c in CASES
        if not c.strict
        and c.id
        in {
            "unknown-category",
            "bad-duration",
            "unknown-basis",
            "bad-country",
            "unknown-recipient",
            "cookie-unknown-purpose",
            "password-in-url",
            "missing-translation",
            "bad-inn-checksum",
        }
    ]
    for case in chosen:
        text = text.replace(case.old, case.new)
    path = tmp_path / "register.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    for case in chosen:
        assert case.says in result.output, f"{case.id} not reported:\n{result.output}"


def test_the_base_register_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "register.yaml"
    path.write_text(BASE, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--strict"])
    assert result.exit_code == 0, result.output
