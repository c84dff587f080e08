"""Every table of Steward's store, imported so that ``Base.metadata`` knows them all.

A domain that adds tables imports its table module here and adds an Alembic migration.
"""

import steward.accounts.tables
import steward.breaches.tables
import steward.consent.tables  # noqa: F401 - the consent ledger's tables
from steward.datastores.tables import (
    ExecutionExport,
    ExecutionRun,
    ExecutionStep,
    Restriction,
    RestrictionSubject,
)
from steward.discovery import store as _discovery_store  # noqa: F401 - findings
from steward.filings import tables as _filings_tables  # noqa: F401 - filing drafts
from steward.jobs import tables as _jobs_tables  # noqa: F401 - the scheduler
from steward.ledger.anchors import ChainAnchor
from steward.ledger.audit import AuditEntry
from steward.lib.ratelimit import RateCounter
from steward.notices.tables import NoticeDocument, NoticeVersion
from steward.notify.outbox import OutboxMessage
from steward.requests import tables as _requests_tables  # noqa: F401 - subject requests
from steward.requests.destructions import ScheduledDestruction
from steward.requests.disclosures import Disclosure
from steward.requests.restrictions import SubjectRestriction
from steward.retention import tables as _retention_tables  # noqa: F401 - holds and sweeps
from steward.store.tables import Base, LoadedRegister

metadata = Base.metadata

__all__ = [
    "AuditEntry",
    "Base",
    "ChainAnchor",
    "Disclosure",
    "ExecutionExport",
    "ExecutionRun",
    "ExecutionStep",
    "LoadedRegister",
    "NoticeDocument",
    "NoticeVersion",
    "OutboxMessage",
    "RateCounter",
    "Restriction",
    "RestrictionSubject",
    "ScheduledDestruction",
    "SubjectRestriction",
    "metadata",
]
