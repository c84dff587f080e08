"""The cookie banner's configuration and copy, built from the register's cookies and purposes.

    config = banner_config(register, lang="ru", endpoint=".../consent/choice", ...)
    copy_text(register, "ru")      # the exact copy shown; its SHA-256 goes in each event

The banner offers every purpose that a cookie or tracker serves and that rests on consent;
cookies of other purposes are listed as essential. The copy is rebuilt the same way each time,
so the hash the script sends back identifies exactly what the visitor saw.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from steward.consent import rules
from steward.ledger.chain import canonical_json
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.register.models import Purpose, Register

SCRIPT = Path(__file__).parent / "banner.js"
STYLE = Path(__file__).parent / "banner.css"
LANGS = i18n.LANGUAGES

TEXT: dict[str, str] = {
    "title": N_("Cookies on this site"),
    "body": N_(
        "We use cookies that the site needs to work. With your consent we would also use the "
        "cookies below. You can change your choice at any time."
    ),
    "accept": N_("Accept all"),
    "reject": N_("Reject all"),
    "choose": N_("Choose"),
    "save": N_("Save my choice"),
    "essential": N_("Always on (needed for the site to work)"),
    "gpc": N_(
        "Opt-out preference signal honored: your browser sends Global Privacy Control, and we "
        "treat it as a refusal of selling, sharing and advertising."
    ),
    "policy": N_("Privacy notice"),
    "label": N_("Cookie choices"),
}


def pick_lang(register: Register, wanted: str | None, accept_language: str | None) -> str:
    """The banner's language: asked for, else the browser's best supported, else the first."""
    offered = [lang for lang in register.operator.languages if lang in LANGS] or ["en"]
    return i18n.pick((wanted,), accept_language or "", offered)


def banner_purposes(register: Register) -> list[Purpose]:
    """Purposes a cookie or tracker serves that need consent, in register order.

    Purposes tagged ``essential`` are strictly necessary: their cookies are listed as always on.
    """
    used = {c.purpose for c in register.cookies}
    wanted = set(rules.consent_purposes(register))
    return [
        p
        for p in register.purposes
        if p.id in used and p.id in wanted and "essential" not in p.tags
    ]


def copy_of(register: Register, lang: str) -> dict[str, Any]:
    """Everything the banner shows in ``lang``: the artefact kept as proof."""
    offered = banner_purposes(register)
    offered_ids = {p.id for p in offered}
    return {
        "operator": register.operator.legal_name,
        "lang": lang,
        "text": i18n.words(TEXT, lang),
        "purposes": [
            {
                "id": p.id,
                "name": i18n.localized(p.names, lang),
                "description": i18n.localized(p.descriptions, lang),
                "cookies": [c.name for c in register.cookies if c.purpose == p.id],
            }
            for p in offered
        ],
        "essential": [
            f"{c.name} ({c.provider})" for c in register.cookies if c.purpose not in offered_ids
        ],
    }


def copy_text(register: Register, lang: str) -> str:
    return canonical_json(copy_of(register, lang))


def copy_sha256(register: Register, lang: str) -> str:
    return hashlib.sha256(copy_text(register, lang).encode()).hexdigest()


def banner_config(
    register: Register,
    *,
    lang: str,
    endpoint: str,
    notice_version: str,
    policy_url: str | None,
    choices: dict[str, bool] | None,
    gpc_header: bool,
) -> dict[str, Any]:
    copy = copy_of(register, lang)
    tags = {p.id: list(p.tags) for p in register.purposes}
    return {
        "endpoint": endpoint,
        "lang": lang,
        "version": notice_version,
        "copy": copy_sha256(register, lang),
        "text": copy["text"],
        "purposes": [dict(p, tags=tags[p["id"]]) for p in copy["purposes"]],
        "essential": copy["essential"],
        "gpc": rules.gpc_purposes(register),
        "gpcHeader": gpc_header,
        "policy": policy_url,
        "choices": choices,
    }


def stylesheet() -> tuple[str, str]:
    """The banner's CSS and the first 16 hex digits of its SHA-256 (its version in the URL)."""
    css = STYLE.read_text(encoding="utf-8").strip()
    return css, hashlib.sha256(css.encode()).hexdigest()[:16]


def script(config: dict[str, Any], style_url: str) -> str:
    """The one script the operator embeds: the code with its configuration inlined.

    Its style is a stylesheet the script links (``style_url``, versioned by the CSS's hash), not
    an inline ``<style>``: a strict Content-Security-Policy (Steward's own, or the operator's with
    ``style-src`` naming Steward's origin) allows the one and blocks the other.
    """
    code = SCRIPT.read_text(encoding="utf-8")
    payload = canonical_json(config).replace("</", "<\\/")
    return code.replace("__STYLE__", canonical_json({"s": style_url})[5:-1]).replace(
        "__CONFIG__", payload
    )
