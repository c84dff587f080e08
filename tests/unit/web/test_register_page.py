from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.config import Settings
from steward.ledger.audit import AuditEntry
from steward.store.tables import LoadedRegister
from steward.web.app import create_app

from ...conftest import EXAMPLES
from ...personas import sign_in_as


@pytest.fixture
def register_file(tmp_path: Path) -> Path:
    target = tmp_path / "register.yaml"
    target.write_text((EXAMPLES / "demo" / "register.yaml").read_text(encoding="utf-8"))
    return target


@pytest.fixture
def client(store_file_url: str, register_file: Path):
    app = create_app(Settings(database_url=store_file_url, register_path=register_file))
    with TestClient(app) as test_client:
        yield test_client


def _audit_actions(client: TestClient) -> list[str]:
    with client.app.state.sessions() as session:
        return [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_register_page_shows_purposes_and_datastores(client: TestClient) -> None:
    sign_in_as(client, "auditor")
    page = client.get("/admin/register")
    assert page.status_code == 200
    assert "Polar Tea LLC" in page.text and "Accounting and tax" in page.text
    assert "call_recordings" in page.text
    assert "Reload the register" not in page.text  # auditors read, never change


def test_reload_loads_a_changed_register_and_audits_it(
    client: TestClient, register_file: Path
) -> None:
    csrf = sign_in_as(client, "dpo")
    text = register_file.read_text(encoding="utf-8")
    register_file.write_text(
        text.replace("Polar Tea LLC", "Polar Tea Holding LLC"), encoding="utf-8"
    )
    answer = client.post("/admin/register/reload", data={"csrf_token": csrf})
    assert answer.status_code == 200 and "Loaded Polar Tea Holding LLC" in answer.text
    assert client.app.state.register.operator.legal_name == "Polar Tea Holding LLC"
    assert "register.reload" in _audit_actions(client)


def test_a_broken_register_is_refused_and_the_one_in_force_stays(
    client: TestClient, register_file: Path
) -> None:
    csrf = sign_in_as(client, "owner")
    with client.app.state.sessions() as session:
        before = session.scalars(select(LoadedRegister)).all()
    register_file.write_text("operator: {legal_name: [\n", encoding="utf-8")
    answer = client.post("/admin/register/reload", data={"csrf_token": csrf})
    assert answer.status_code == 422
    assert "The register in force is unchanged" in answer.text and "YAML syntax" in answer.text
    assert client.app.state.register.operator.legal_name == "Polar Tea LLC"
    with client.app.state.sessions() as session:
        assert len(session.scalars(select(LoadedRegister)).all()) == len(before)
    assert "register.reload_refused" in _audit_actions(client)


def test_reload_needs_the_permission_and_the_csrf_token(client: TestClient) -> None:
    csrf = sign_in_as(client, "agent")
    assert client.post("/admin/register/reload", data={"csrf_token": csrf}).status_code == 403
    client.cookies.clear()
    csrf = sign_in_as(client, "dpo")
    assert client.post("/admin/register/reload", data={}).status_code == 403
