"""The security measures a notice (and the Art. 30 record) states, in one place.

The register's own declarations (``policy.security``) come first, then what Steward itself
does for this operator. Each of Steward's lines is stated only when the code does it.
"""

from __future__ import annotations

from steward.lib import i18n
from steward.register.models import Register
from steward.register.taxonomy import LegalBasis


def _text(localized: dict[str, str] | None, lang: str) -> str | None:
    if not localized:
        return None
    return localized.get(lang) or localized.get("en") or next(iter(localized.values()), None)


def security_measures(register: Register, lang: str, *, sweeps_running: bool = False) -> list[str]:
    """The measures the register declares, then those Steward itself applies for it.

    Automatic enforcement of storage periods is claimed only when ``sweeps_running`` (retention
    sweeps configured and running for this operator); no sweep exists yet, so no caller sets it.
    """
    declared_measures = [_text(m.names, lang) or m.id for m in register.policy.security]
    return declared_measures + _steward_measures(register, lang, sweeps_running)


def _steward_measures(register: Register, lang: str, sweeps_running: bool) -> list[str]:
    """Measures Steward itself applies, plus those implied by the register's declarations."""
    declared = {c for p in register.purposes for c in p.categories} | {
        spec.category for s in register.datastores for t in s.tables for spec in t.columns.values()
    }
    _ = i18n.translator(lang).gettext
    measures = [
        _(
            "Every action our staff take on your data or your requests is written to an "
            "append-only, hash-chained audit log that shows any later alteration."
        ),
        _("Access to personal data is limited by role to the people whose work needs it."),
    ]
    if any(p.basis is LegalBasis.CONSENT for p in register.purposes):
        measures.append(
            _("Each consent you give or withdraw is recorded in a verifiable consent ledger.")
        )
    if any(c == "account.password" or c == "account" for c in declared):
        measures.append(_("Passwords are stored only as one-way hashes and are never readable."))
    if sweeps_running and any(t.retention for s in register.datastores for t in s.tables):
        measures.append(
            _("Storage periods are enforced automatically and each destruction is documented.")
        )
    return measures
