"""Retention's periodic jobs: the daily sweep of the operator's databases on the register in
force (``retention.sweep``), and the hourly purge of Steward's own data (``retention.own_data``)."""

from __future__ import annotations

from datetime import timedelta

from steward.config import get_settings
from steward.jobs.registry import store_sessions
from steward.jobs.schedule import periodic
from steward.retention.own_data import purge_own_data
from steward.retention.service import sweep
from steward.store.db import make_engine, session_factory
from steward.store.registers import stored_register


@periodic("retention.sweep", every=timedelta(days=1))
def daily_sweep() -> None:
    """Destroy what the register's retention rules make due, with its act."""
    settings = get_settings()
    factory = session_factory(make_engine(settings.database_url))
    with factory() as session:
        register = stored_register(session)
    if register is None or not any(t.retention for d in register.datastores for t in d.tables):
        return
    sweep(
        factory,
        register,
        trigger="schedule",
        secret=settings.secret_key.get_secret_value().encode(),
    )


@periodic("retention.own_data", every=timedelta(hours=1))
def purge_own() -> str:
    """Purge Steward's own data past its period: results, codes, scans, acts, sent e-mail."""
    return purge_own_data(store_sessions(), get_settings()).note()
