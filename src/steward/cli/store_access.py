"""How read-only commands open Steward's store: never creating one, never needing the secret."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from steward.config import settings_without_secret
from steward.store.db import StoreNotFound, existing_store_engine, session_factory

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Steward's store to read, as a SQLAlchemy URL (default: STEWARD_DATABASE_URL).",
        show_default=False,
    ),
]


@contextmanager
def read_store(url: str | None) -> Iterator[sessionmaker[Session]]:
    """Sessions on an existing store; a missing one is a clear error (exit 2), not a new file."""
    try:
        engine = existing_store_engine(url or settings_without_secret().database_url)
    except StoreNotFound as exc:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"steward: {exc}", markup=False)
        raise typer.Exit(2) from None
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()
