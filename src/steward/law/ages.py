"""Age thresholds: below a jurisdiction's consent age a guardian consents for the child."""

from __future__ import annotations

from collections.abc import Iterable

from steward.law.jurisdictions import law


def guardian_consent_below(jurisdictions: Iterable[str]) -> int | None:
    """The highest consent age among the jurisdictions: below it, a guardian must consent."""
    ages = [a for a in (law(j).consent_age for j in jurisdictions) if a is not None]
    return max(ages) if ages else None
