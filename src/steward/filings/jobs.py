"""The periodic filings job: drafts kept in step with the register in force, reminders sent.

Idempotent (``regenerate`` creates nothing for an unchanged register, ``remind`` sends at most
one reminder per draft per day), so the scheduler firing it twice is harmless.
"""

from __future__ import annotations

from datetime import timedelta

from steward.config import get_settings
from steward.filings.service import regenerate, remind
from steward.jobs.schedule import periodic
from steward.register import check_bytes
from steward.store.db import make_engine, session_factory, transaction
from steward.store.registers import latest_register
from steward.store.tables import utcnow


def run_filings(database_url: str, base_url: str) -> tuple[int, int]:
    """One pass over the register in force: (drafts created, reminders queued)."""
    engine = make_engine(database_url)
    try:
        with transaction(session_factory(engine)) as session:
            loaded = latest_register(session)
            if loaded is None:
                return 0, 0
            result = check_bytes(loaded.content.encode("utf-8"), loaded.source)
            if result.register is None:
                return 0, 0  # the store only keeps valid registers; nothing to do otherwise
            today = utcnow().date()
            created = regenerate(session, result.register, loaded.sha256, today=today)
            sent = remind(session, result.register, today=today, base_url=base_url)
            return len(created), sent
    finally:
        engine.dispose()


@periodic("filings.remind", every=timedelta(hours=6))
def filings_remind() -> None:
    """Regenerate the Roskomnadzor drafts from the register in force and remind of deadlines."""
    settings = get_settings()
    run_filings(settings.database_url, str(settings.base_url))
