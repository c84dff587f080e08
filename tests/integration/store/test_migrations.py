from pathlib import Path

import sqlalchemy as sa

from steward.store.db import current_revisions, session_factory, transaction, upgrade
from steward.store.registers import latest_register, record_register

from ...conftest import EXAMPLES


def test_upgrade_creates_every_table_the_models_declare(store_engine: sa.Engine) -> None:
    from steward.store.schema import metadata

    tables = set(sa.inspect(store_engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert current_revisions(store_engine)


def test_upgrade_twice_is_harmless(store_engine: sa.Engine) -> None:
    first = current_revisions(store_engine)
    upgrade(store_engine)
    assert current_revisions(store_engine) == first


def test_loading_the_same_register_twice_keeps_one_row(
    store_engine: sa.Engine, tmp_path: Path
) -> None:
    sessions = session_factory(store_engine)
    source = EXAMPLES / "demo" / "register.yaml"
    with transaction(sessions) as session:
        _, first = record_register(session, source)
    with transaction(sessions) as session:
        _, second = record_register(session, source)
    assert first.id == second.id

    changed = tmp_path / "register.yaml"
    changed.write_text(source.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    with transaction(sessions) as session:
        _, third = record_register(session, changed)
    assert third.id != first.id
    with sessions() as session:
        latest = latest_register(session)
        assert latest is not None and latest.id == third.id
        assert latest.loaded_at.tzinfo is not None
