"""The weekly discovery scan of the register in force (``discovery.scan``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from steward.config import get_settings
from steward.discovery.scan import scan_register
from steward.discovery.store import DiscoveryScan, claim_scan, record_report
from steward.jobs.schedule import periodic
from steward.register import Register, load_register
from steward.register.loader import check_bytes
from steward.store.db import make_engine, session_factory, transaction
from steward.store.tables import LoadedRegister

log = logging.getLogger("steward.jobs")
EVERY = timedelta(days=7)
ACTOR = "job:discovery.scan"


def _register_in_force(session) -> tuple[Register, str] | None:  # type: ignore[no-untyped-def]
    row = session.scalars(select(LoadedRegister).order_by(LoadedRegister.id.desc())).first()
    if row is not None:
        result = check_bytes(row.content.encode(), row.source)
        if result.register is not None:
            return result.register, row.source
    path = get_settings().register_path
    if path is not None:
        return load_register(path), str(path)
    return None


@periodic("discovery.scan", every=EVERY)
def scan_weekly() -> None:
    """Scan every datastore of the register in force for personal data it does not declare."""
    engine = make_engine(get_settings().database_url)
    factory = session_factory(engine)
    try:
        with transaction(factory) as session:
            found = _register_in_force(session)
            if found is None:
                log.info("discovery.scan: no register loaded; nothing to scan")
                return
            register, source = found
            # a day's margin: the scheduler fires every 7 days, the last scan ended after it began
            scan = claim_scan(
                session, actor=ACTOR, source=source, every=EVERY - timedelta(days=1),
                lease=timedelta(hours=6),
            )  # fmt: skip
            if scan is None:
                return
            scan_id = scan.id
        # the operator's databases are read outside any transaction of Steward's store
        report = scan_register(register)
        with transaction(factory) as session:
            claimed = session.get(DiscoveryScan, scan_id)
            record_report(session, report, actor=ACTOR, source=source, scan=claimed)
        log.info(
            "discovery.scan: %d finding(s), %d error(s), %d problem(s)",
            len(report.findings), len(report.errors), len(report.problems),
        )  # fmt: skip
    finally:
        engine.dispose()
