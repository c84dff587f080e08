"""The disclosure log through its API and CLI: what the register does not declare is refused
with a clear message and nothing is recorded; identifiers are kept only as digests."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from steward.cli import app as cli
from steward.config import Settings
from steward.consent.identity import ConsentKeys
from steward.register import load_register
from steward.requests import disclosures
from steward.requests.disclosures import Disclosure
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app

from ...conftest import EXAMPLES
from ...personas import api_token

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
GOOD = {
    "recipient": "service-providers",
    "categories": ["contact.email"],
    "disclosed_on": YESTERDAY,
    "email": "anna@example.com",
}


def _app(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=url, register_path=EXAMPLES / "softvendor" / "register.yaml", dev=True
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return _app(tmp_path_factory.mktemp("disclosures"))


def _rows(app) -> list[Disclosure]:
    with app.state.sessions() as session:
        return list(session.scalars(sa.select(Disclosure)))


def _post(app, body, scopes=("disclosures:write",)):
    token = api_token(app, set(scopes))
    return TestClient(app).post(
        "/api/v1/disclosures", json=body, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"recipient": "google"}, "not a recipient of the register; its recipients: service-"),
        ({"categories": ["contact.telepathy"]}, "not a data category"),
        ({"categories": [" "]}, "name the categories"),
        ({"purpose": "selling"}, "not a purpose of the register"),
        ({"disclosed_on": (date.today() + timedelta(days=2)).isoformat()}, "in the future"),
        ({"email": None}, "give the subject's identifier"),
        ({"email": "not an address"}, "e-mail address is not valid"),
        ({"email": None, "phone": "call me"}, "telephone"),
    ],
)
def test_what_the_register_does_not_declare_is_refused_and_nothing_recorded(
    app, change, words: str
) -> None:
    before = len(_rows(app))
    answer = _post(app, {**GOOD, **change})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_disclosure" and words in error["message"], error
    assert len(_rows(app)) == before


def test_the_scopes_guard_the_log(app) -> None:
    assert _post(app, GOOD, scopes=("requests:write",)).status_code == 403
    assert TestClient(app).post("/api/v1/disclosures", json=GOOD).status_code == 401
    token = api_token(app, {"disclosures:read"})
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/disclosures", json=GOOD, headers=headers).status_code == 403
    assert client.get("/api/v1/disclosures", headers=headers).status_code == 200


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    local=st.from_regex(r"zq[a-z0-9]{6,12}", fullmatch=True),
    upper=st.booleans(),
    pad=st.sampled_from(["", " ", "\t"]),
)
def test_an_identifier_is_kept_only_as_its_digest_whatever_its_spelling(
    app, local: str, upper: bool, pad: str
) -> None:
    address = f"{local}@example.com"
    typed = pad + (address.upper() if upper else address) + pad
    made = _post(app, {**GOOD, "email": typed})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["identifiers"] == ["email"] and local not in json.dumps(body)
    with app.state.sessions() as session:
        row = session.get(Disclosure, body["id"])
        assert row is not None
        stored = " ".join(str(getattr(row, c.name)) for c in Disclosure.__table__.columns)
        assert local not in stored
        digest = row.email_digest
    # any spelling of the address gives the digest its canonical form gives
    plain = _post(app, {**GOOD, "email": address}).json()
    with app.state.sessions() as session:
        again = session.get(Disclosure, plain["id"])
        assert again is not None and again.email_digest == digest and digest


def test_the_cli_records_and_lists_and_refuses_what_the_register_does_not_declare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("STEWARD_DATABASE_URL", url)
    monkeypatch.setenv("STEWARD_REGISTER_PATH", str(EXAMPLES / "softvendor" / "register.yaml"))
    runner = CliRunner()
    base = ["disclosures", "record", "--recipient", "service-providers", "--on", YESTERDAY]
    made = runner.invoke(
        cli,
        [*base, "--category", "contact.email", "--category", "identity.name", "--email", "A@x.org"],
    )
    assert made.exit_code == 0, made.output
    assert "recorded disclosure 1: service-providers, 2 categories" in made.stdout
    other = runner.invoke(
        cli, [*base, "--category", "identity.name", "--phone", "+7 912 345-67-89"]
    )
    assert other.exit_code == 0, other.output
    refused = runner.invoke(
        cli,
        [
            "disclosures",
            "record",
            "--recipient",
            "nobody",
            "--on",
            YESTERDAY,
            "--category",
            "contact.email",
            "--email",
            "a@x.org",
        ],
    )
    assert refused.exit_code == 1
    assert "'nobody' is not a recipient of the register" in refused.stderr
    assert "nothing was recorded" in refused.stderr
    bad_date = runner.invoke(
        cli, [*base[:4], "--on", "30.11.2026", "--category", "x", "--email", "a@x.org"]
    )
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.stderr
    mine = runner.invoke(cli, ["disclosures", "list", "--email", "a@X.org", "--json"])
    assert mine.exit_code == 0, mine.output
    lines = [json.loads(line) for line in mine.stdout.strip().splitlines()]
    assert [(d["id"], d["categories"], d["identifiers"]) for d in lines] == [
        (1, ["contact.email", "identity.name"], ["email"])
    ]
    everything = runner.invoke(cli, ["disclosures", "list", "--json"])
    assert everything.exit_code == 0 and "a@x.org" not in everything.stdout.lower()
    listed = [json.loads(line) for line in everything.stdout.strip().splitlines()]
    assert sorted(d["identifiers"][0] for d in listed) == ["email", "phone"]
    table = runner.invoke(cli, ["disclosures", "list", "--recipient", "service-providers"])
    assert table.exit_code == 0 and "Disclosures" in table.stdout


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["email", "phone", "account-id"]),
    local=st.from_regex(r"[a-z][a-z0-9.]{0,10}[a-z0-9]", fullmatch=True),
    digits=st.integers(min_value=9_000_000_000, max_value=9_999_999_999),
    upper=st.booleans(),
)
def test_the_log_digests_an_identifier_as_the_consent_ledger_does(
    kind: str, local: str, digits: int, upper: bool
) -> None:
    """One subject, one digest: what the log stores matches the ledger's own hash."""
    settings_ = Settings(dev=True)
    keys = ConsentKeys.from_settings(settings_).for_register(
        load_register(EXAMPLES / "softvendor" / "register.yaml")
    )
    value = {
        "email": f"{local}@Example.com",
        "phone": f"8{digits}",
        "account-id": f" {local.upper() if upper else local} ",
    }[kind]
    assume(not (kind == "email" and ".." in local))  # not an address
    ours = disclosures.digests(settings_.identifier_key(), {kind: value}, "RU")[kind]
    assert ours == keys.identifier_digest(kind, value)
