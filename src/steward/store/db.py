"""Engines and sessions for Steward's store, and running its migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, pre_ping: bool = True) -> Engine:
    """An engine for ``url``; SQLite gets WAL and foreign keys switched on.

    ``pre_ping=False`` (job workers) saves a round trip per transaction: a pooled connection
    the server dropped then fails one job, is discarded, and the work is handed back.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # hide_parameters: a failed statement's log line never carries the values (an e-mail address)
    engine = create_engine(url, pool_pre_ping=pre_ping, pool_recycle=1800, hide_parameters=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


class StoreNotFound(Exception):
    """A read-only command was pointed at a store that does not exist."""


def existing_store_engine(url: str) -> Engine:
    """An engine for a store that must already exist: a read never creates an empty SQLite file.

    Raises ``StoreNotFound`` naming the file and the variable that chooses it.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            raise StoreNotFound(f"{url} is not a stored database; set STEWARD_DATABASE_URL")
        if not Path(database).is_file():
            raise StoreNotFound(
                f"no Steward store at {Path(database).resolve()}; set STEWARD_DATABASE_URL to "
                "the store to read (e.g. sqlite:///steward.db where `make run` keeps it)"
            )
    return make_engine(url)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply migrations up to ``revision`` (all branch heads by default)."""
    command.upgrade(alembic_config(engine), revision)


def current_revisions(engine: Engine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session], *, durable: bool = True) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error.

    ``durable=False`` (PostgreSQL only; elsewhere it changes nothing) lets the COMMIT return
    before its WAL reaches the disk (``synchronous_commit = off``): a server crash within about
    ``wal_writer_delay`` may lose the transaction, never half of it, and the next durable COMMIT
    of any session makes it durable too. Only for writes whose loss a later step repairs: a
    run's claim (lost, the run is queued again) and its result (lost, the run is taken over
    once its lease ends and reconciled from the plan committed durably before the operator's
    COMMIT).
    """
    with factory() as session, session.begin():
        if not durable and session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        yield session
