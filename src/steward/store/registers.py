"""Recording which register Steward runs on."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.register import Register, load_register
from steward.store.tables import LoadedRegister


def record_register(session: Session, path: Path) -> tuple[Register, LoadedRegister]:
    """Load and validate ``path`` and store its text; a file unchanged since last time is reused."""
    register = load_register(path)
    content = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(content.encode()).hexdigest()
    latest = latest_register(session, register.operator.id)
    if latest is not None and latest.sha256 == digest:
        return register, latest
    row = LoadedRegister(
        operator_id=register.operator.id,
        operator_name=register.operator.legal_name,
        source=str(path),
        sha256=digest,
        content=content,
    )
    session.add(row)
    session.flush()
    return register, row


def latest_register(session: Session, operator_id: str | None = None) -> LoadedRegister | None:
    query = select(LoadedRegister).order_by(LoadedRegister.id.desc()).limit(1)
    if operator_id is not None:
        query = query.where(LoadedRegister.operator_id == operator_id)
    return session.scalars(query).first()
