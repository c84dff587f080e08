"""The security measures a notice (and the Art. 30 record) states, in one place.

The register's own declarations (``policy.security``) come first, then what Steward itself
does for this operator. Each of Steward's lines is stated only when the code does it.
"""

from __future__ import annotations

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
    en = lang != "ru"
    measures = [
        "Every action our staff take on your data or your requests is written to an append-only, "
        "hash-chained audit log that shows any later alteration."
        if en
        else "Каждое действие наших сотрудников с вашими данными и обращениями записывается в "
        "журнал аудита, защищённый цепочкой хешей: любое последующее изменение обнаруживается.",
        "Access to personal data is limited by role to the people whose work needs it."
        if en
        else "Доступ к персональным данным разграничен по ролям и предоставляется только тем, "
        "кому он нужен для работы.",
    ]
    if any(p.basis is LegalBasis.CONSENT for p in register.purposes):
        measures.append(
            "Each consent you give or withdraw is recorded in a verifiable consent ledger."
            if en
            else "Каждое данное или отозванное согласие фиксируется в проверяемом журнале согласий."
        )
    if any(c == "account.password" or c == "account" for c in declared):
        measures.append(
            "Passwords are stored only as one-way hashes and are never readable."
            if en
            else "Пароли хранятся только в виде необратимых хешей и не могут быть прочитаны."
        )
    if sweeps_running and any(t.retention for s in register.datastores for t in s.tables):
        measures.append(
            "Storage periods are enforced automatically and each destruction is documented."
            if en
            else "Сроки хранения соблюдаются автоматически, каждое уничтожение данных "
            "документируется."
        )
    return measures
