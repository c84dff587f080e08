"""Ask for consents again when a material change touches a consent-based purpose.

    marked = mark_consents_for_reconfirmation(session, ["newsletter"], "2")

The consent ledger is built on another branch; it exposes
``steward.consent.mark_for_reconfirmation(session, purpose_ids, notice_version)``, which records
that consents to those purposes given under an earlier notice version must be confirmed again.
Until it is on main this seam reports ``False`` (nothing marked) and the publication still
records which purposes need re-confirmation in the version's changes.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from sqlalchemy.orm import Session


def mark_consents_for_reconfirmation(
    session: Session, purpose_ids: Sequence[str], notice_version: str
) -> bool:
    """Mark consents to ``purpose_ids`` for re-confirmation; False when no ledger is installed."""
    if not purpose_ids:
        return False
    try:
        consent = importlib.import_module("steward.consent")
    except ModuleNotFoundError:
        return False
    mark = getattr(consent, "mark_for_reconfirmation", None)
    if mark is None:
        return False
    mark(session, list(purpose_ids), notice_version)
    return True
