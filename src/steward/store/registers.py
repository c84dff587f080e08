"""Which register Steward runs on: the one answer to "which register is in force".

    register, row = record_register(session, path)        # validate, store (reuse if unchanged)
    found = register_in_force(session)                     # (Register, LoadedRegister) or None
    found = register_in_force(session, register_id=7)      # the version a run was filed under
    register = register_version(session, 7)                # the same, cached per store

The register in force is the newest one recorded in the store. ``steward serve`` records the
file at ``STEWARD_REGISTER_PATH`` when it starts (an unchanged file reuses its row) and the
admin "Reload" records it again, so the pages, the API, the jobs and the CLI all read the same
version, and each run names the version it executes under.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
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
    """The newest recorded register (of ``operator_id`` when given): the row in force."""
    query = select(LoadedRegister).order_by(LoadedRegister.id.desc()).limit(1)
    if operator_id is not None:
        query = query.where(LoadedRegister.operator_id == operator_id)
    return session.scalars(query).first()


def register_in_force(
    session: Session, *, register_id: int | None = None
) -> tuple[Register, LoadedRegister] | None:
    """The register in force (or version ``register_id``), parsed; None when none is loaded.

    Raises ``RegisterError`` when the stored text no longer loads (a newer Steward refusing it).
    """
    if register_id is not None:
        row = session.get(LoadedRegister, register_id)
    else:
        row = latest_register(session)
    if row is None:
        return None
    return parsed(row), row


def parsed(row: LoadedRegister) -> Register:
    """The stored register ``row`` parsed, once per process (stored texts never change)."""
    key = (row.id, row.sha256)
    register = _PARSED.get(key)
    if register is None:
        result = check_bytes(row.content.encode(), row.source)
        if result.register is None:
            raise RegisterError(result.errors)
        register = result.register
        if len(_PARSED) >= 16:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = register
    return register


# a run re-parsing its register took a third of a queued erasure's time
_PARSED: dict[tuple[int, str], Register] = {}
# versions by id, per store engine: a stored version never changes, so a worker reads it once
_VERSIONS: WeakKeyDictionary[Engine, dict[int, Register]] = WeakKeyDictionary()


def register_version(session: Session, register_id: int) -> Register | None:
    """Version ``register_id``, parsed; read from the store once per process and store.

    None when no such version is stored; raises ``RegisterError`` when it no longer loads.
    """
    engine = session.get_bind()
    known = _VERSIONS.setdefault(engine, {}) if isinstance(engine, Engine) else {}
    register = known.get(register_id)
    if register is None:
        row = session.get(LoadedRegister, register_id)
        if row is None:
            return None
        register = known[register_id] = parsed(row)
    return register


def stored_register(session: Session, register_id: int | None = None) -> Register | None:
    """Version ``register_id`` (the one in force when None), parsed; None when none is stored
    or it no longer loads (see :func:`register_in_force`)."""
    try:
        found = register_in_force(session, register_id=register_id)
    except RegisterError:
        return None
    return found[0] if found else None
