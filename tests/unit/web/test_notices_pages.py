from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.config import Settings
from steward.ledger.audit import AuditEntry
from steward.notices.tables import NoticeVersion
from steward.web.app import create_app

from ...conftest import EXAMPLES
from ...personas import sign_in_as


@pytest.fixture
def register_file(tmp_path: Path) -> Path:
    target = tmp_path / "register.yaml"
    target.write_text((EXAMPLES / "almis" / "register.yaml").read_text(encoding="utf-8"))
    return target


@pytest.fixture
def client(store_file_url: str, register_file: Path):
    app = create_app(Settings(database_url=store_file_url, register_path=register_file))
    with TestClient(app) as test_client:
        yield test_client


def _versions(client: TestClient) -> list[tuple[int, bool]]:
    with client.app.state.sessions() as session:
        rows = session.scalars(select(NoticeVersion).order_by(NoticeVersion.number))
        return [(v.number, v.material) for v in rows]


def test_the_privacy_center_shows_the_draft_before_anything_is_published(
    client: TestClient,
) -> None:
    page = client.get("/privacy/notice?lang=ru")
    assert page.status_code == 200 and 'lang="ru"' in page.text
    assert client.get("/privacy/notice?lang=de").status_code == 404


def test_publishing_from_the_admin_app_creates_versions_and_audits(
    client: TestClient, register_file: Path
) -> None:
    csrf = sign_in_as(client, "dpo")
    first = client.post("/admin/notices/publish", data={"csrf_token": csrf})
    assert "Published version 1" in first.text
    again = client.post("/admin/notices/publish", data={"csrf_token": csrf})
    assert "Unchanged: version 1" in again.text

    text = register_file.read_text(encoding="utf-8")
    register_file.write_text(
        text.replace("Посетитель сайта", "Посетитель  сайта", 1), encoding="utf-8"
    )
    client.app.state.register = None  # the pages read the register in force; reload it
    from steward.register import load_register

    client.app.state.register = load_register(register_file)
    preview = client.get("/admin/notices")
    assert "If you publish now" in preview.text and "<li>" in preview.text
    second = client.post("/admin/notices/publish", data={"csrf_token": csrf})
    assert "Published version 2 (no material change)" in second.text
    assert _versions(client) == [(1, False), (2, False)]
    with client.app.state.sessions() as session:
        actions = [
            e.actor for e in session.scalars(select(AuditEntry)) if e.action.startswith("notice")
        ]
    assert actions and all(actor == "dpo@example.com" for actor in actions)

    versions_page = client.get("/privacy/notice/versions?lang=ru")
    assert versions_page.status_code == 200 and "Редакция 2" in versions_page.text


def test_agents_read_notices_but_cannot_publish(client: TestClient) -> None:
    csrf = sign_in_as(client, "agent")
    assert client.get("/admin/notices").status_code == 200
    assert "Publish the notice" not in client.get("/admin/notices").text
    assert client.post("/admin/notices/publish", data={"csrf_token": csrf}).status_code == 403
