from pathlib import Path

from steward.accounts.people import create_person
from steward.config import Settings
from steward.doctor import run_checks
from steward.store.db import make_engine, session_factory, transaction, upgrade


def _levels(settings: Settings) -> dict[str, str]:
    return {r.id: r.level for r in run_checks(settings)}


def test_doctor_reports_stable_ids_from_empty_store_to_ready(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    settings = Settings(dev=True, database_url=url)
    assert _levels(settings)["D002"] == "error"  # not migrated yet
    engine = make_engine(url)
    upgrade(engine)
    assert _levels(settings)["A001"] == "error"  # nobody can sign in
    with transaction(session_factory(engine)) as session:
        create_person(session, "o@example.com", role="owner", password="plenty of words 12")
    engine.dispose()
    levels = _levels(settings)
    assert levels["D002"] == levels["A001"] == "ok"
    assert levels["S001"] == "warning" and levels["M001"] == "warning"


def test_doctor_fails_when_smtp_is_configured_but_unreachable(tmp_path: Path) -> None:
    from ..smtp_server import free_port, running_inbox

    url = f"sqlite:///{tmp_path / 's.db'}"
    nobody = Settings(dev=True, database_url=url, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    result = {r.id: r for r in run_checks(nobody)}["M001"]
    assert result.level == "error" and "cannot leave" in result.message
    with running_inbox() as inbox:
        reachable = Settings(dev=True, database_url=url, smtp_url=inbox.url)
        assert _levels(reachable)["M001"] == "ok"
