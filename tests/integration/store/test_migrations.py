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


def test_an_unreadable_or_invalid_register_is_refused_and_nothing_is_stored(
    store_engine: sa.Engine, tmp_path: Path
) -> None:
    import pytest

    from steward.register import RegisterError

    sessions = session_factory(store_engine)
    broken = tmp_path / "broken.yaml"
    broken.write_text("operator: [\n", encoding="utf-8")
    for path, says in ((tmp_path / "missing.yaml", "cannot read"), (broken, "YAML syntax")):
        with pytest.raises(RegisterError) as caught, transaction(sessions) as session:
            record_register(session, path)
        assert any(says in p.message for p in caught.value.problems)
    with sessions() as session:
        assert latest_register(session) is None
