import sqlalchemy as sa

from steward.ledger import audit
from steward.store.db import session_factory, transaction


def test_verify_names_the_first_tampered_entry(store_engine: sa.Engine) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as session:
        ids = [
            audit.record(session, actor="owner@example.com", action=f"test.{n}", object_id=n).id
            for n in range(5)
        ]
    with sessions() as session:
        assert audit.verify(session) is None

    with store_engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE audit_log SET actor = 'mallory@example.com' WHERE id = :id"),
            {"id": ids[2]},
        )
    with sessions() as session:
        broken = audit.verify(session)
    assert broken is not None and broken.entry_id == ids[2]
    assert "altered" in broken.reason


def test_verify_notices_a_deleted_entry(store_engine: sa.Engine) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as session:
        ids = [audit.record(session, actor="a", action="x").id for _ in range(4)]
    with store_engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    with sessions() as session:
        broken = audit.verify(session)
    assert broken is not None and broken.entry_id == ids[2]


def test_concurrent_writers_never_fork_the_chain(store_engine: sa.Engine) -> None:
    import threading

    sessions = session_factory(store_engine)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(20):
                with transaction(sessions) as session:
                    audit.record(
                        session, actor=f"writer{worker}", action="test.concurrent", object_id=n
                    )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with sessions() as session:
        assert audit.verify(session) is None
        count = session.scalar(sa.select(sa.func.count()).select_from(audit.AuditEntry))
    assert count == 80
