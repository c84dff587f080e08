"""Recording which register Steward runs on."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.register import Register, RegisterError, check_bytes, check_file
from steward.register.yamlsource import MAX_BYTES
from steward.store.tables import LoadedRegister


def record_register(session: Session, path: Path) -> tuple[Register, LoadedRegister]:
    """Validate ``path`` and store its text; a file unchanged since last time is reused.

    The file is read once, so the text stored is exactly the text validated. Raises
    ``RegisterError`` with every error when the file is unreadable or invalid.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError:
        raise RegisterError(check_file(path).errors) from None  # says why it cannot be read
    result = check_bytes(raw, str(path))
    if result.register is None:
        raise RegisterError(result.errors)
    register = result.register
    content = raw.decode("utf-8-sig")  # check_bytes accepted it as UTF-8
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


_PARSED: dict[tuple[int, str], Register] = {}


def stored_register(session: Session, register_id: int | None = None) -> Register | None:
    """A register stored by ``record_register``, parsed (once per process): ``register_id``, or
    the latest loaded when None; None when no register is stored or it no longer loads."""
    query = select(LoadedRegister).order_by(LoadedRegister.id.desc()).limit(1)
    if register_id is not None:
        query = select(LoadedRegister).where(LoadedRegister.id == register_id)
    row = session.scalars(query).first()
    if row is None:
        return None
    key = (row.id, row.sha256)
    if key not in _PARSED:
        result = check_bytes(row.content.encode(), row.source)
        if result.register is None:
            return None
        if len(_PARSED) >= 16:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = result.register
    return _PARSED[key]
