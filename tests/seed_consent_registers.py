"""Consent parts of the five seed operators' registers, as the consent tests need them.

Each register is made from a few purposes, cookies, consent items and age rules taken from the
operator's policy (see the shared OPERATORS.md); the rest of a real register is left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from steward.register import Register, load_register


def purpose(
    pid: str,
    basis: str = "consent",
    tags: tuple[str, ...] = (),
    categories: tuple[str, ...] = ("contact.email",),
    recipients: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "id": pid,
        "names": {"en": pid.replace("-", " ").capitalize(), "ru": f"Цель {pid}"},
        "descriptions": {"en": f"We process data for {pid}.", "ru": f"Обработка для {pid}."},
        "basis": basis,
        "categories": list(categories),
        "subjects": ["user"],
        "tags": list(tags),
        "recipients": list(recipients),
    }


def item(iid: str, pid: str, channel: str = "any", time_limit: str | None = None) -> dict:
    out: dict[str, Any] = {
        "id": iid,
        "purpose": pid,
        "channel": channel,
        "labels": {"en": f"I agree: {iid}", "ru": f"Я согласен: {iid}"},
    }
    if time_limit:
        out["time_limit"] = time_limit
    return out


def cookie(name: str, pid: str, provider: str = "Operator") -> dict[str, Any]:
    return {
        "name": name,
        "provider": provider,
        "purpose": pid,
        "lifetime": "P1Y",
        "party": "third" if provider != "Operator" else "first",
    }


def register(
    tmp_path: Path,
    op: str,
    *,
    jurisdictions: list[str],
    purposes: list[dict],
    items: list[dict],
    cookies: list[dict] = (),
    age: list[dict] = (),
    recipients: list[dict] = (),
) -> Register:
    data = {
        "steward": 1,
        "operator": {
            "id": op,
            "legal_name": f"{op.capitalize()} Ltd",
            "names": {"en": op, "ru": op},
            "country": "RU",
            "contacts": {"privacy_email": f"privacy@{op}.example", "postal_address": "Moscow"},
            "jurisdictions": jurisdictions,
            "languages": ["en", "ru"],
        },
        "subjects": [{"id": "user", "names": {"en": "User", "ru": "Пользователь"}}],
        "purposes": purposes,
        "recipients": list(recipients),
        "cookies": list(cookies),
        "consents": {"items": items, "age": list(age)},
    }
    path = tmp_path / f"{op}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_register(path)


def amrcloud(tmp_path: Path) -> Register:
    return register(
        tmp_path,
        "amrcloud",
        jurisdictions=["ru-152fz"],
        purposes=[
            purpose("account", "contract", categories=("contact.email", "account.username")),
            purpose("service-messages", "contract"),
            purpose("news", tags=("marketing",)),
            purpose("analytics", tags=("analytics",), categories=("device.cookie_id",)),
            purpose("admin-access", categories=("account",)),
            purpose("publication", categories=("account.username",)),
        ],
        cookies=[cookie("_ga", "analytics", "Google Analytics")],
        items=[
            item("news-email", "news", "email"),
            item("analytics-cookies", "analytics", "web"),
            item("admin-access", "admin-access", time_limit="P7D"),
            item("publish-results", "publication"),
        ],
    )


def acrcloud(tmp_path: Path) -> Register:
    return register(
        tmp_path,
        "acrcloud",
        jurisdictions=["eu-gdpr", "us-ccpa"],
        purposes=[
            purpose("administrative", "legitimate-interests"),
            purpose(
                "marketing", tags=("marketing",), categories=("contact.email", "contact.phone")
            ),
            purpose("analytics", tags=("analytics",), categories=("device.cookie_id",)),
            purpose("ads", tags=("advertising", "sharing"), categories=("device.cookie_id",)),
        ],
        cookies=[cookie("_ga", "analytics", "Google"), cookie("_pixel", "ads", "Partner")],
        items=[
            item("marketing-email", "marketing", "email"),
            item("marketing-calls", "marketing", "phone"),
        ],
        age=[{"minimum": 14}],
    )


def softvendor(tmp_path: Path) -> Register:
    return register(
        tmp_path,
        "softvendor",
        jurisdictions=["ru-152fz", "eu-gdpr", "us-coppa"],
        purposes=[
            purpose(
                "registration",
                categories=("identity.name", "contact.phone", "contact.email", "device.ip_address"),
                recipients=("hosting",),
            ),
            purpose("cookies", tags=("analytics",), categories=("device.cookie_id",)),
        ],
        recipients=[
            {"id": "hosting", "name": "Hosting Provider LLC", "role": "processor", "country": "RU"}
        ],
        cookies=[cookie("sv_stats", "cookies")],
        items=[item("registration-152fz", "registration"), item("cookies", "cookies")],
        age=[
            {"jurisdiction": "us-coppa", "minimum": 13},
            {"jurisdiction": "eu-gdpr", "guardian_below": 16},
        ],
    )


def almis(tmp_path: Path) -> Register:
    return register(
        tmp_path,
        "almis",
        jurisdictions=["ru-152fz"],
        purposes=[
            purpose("communication", categories=("identity.name", "contact.email")),
            purpose("statistics", tags=("analytics",), categories=("device.cookie_id",)),
        ],
        cookies=[cookie("_ym_uid", "statistics", "Yandex Metrica")],
        items=[item("feedback-form", "communication", "web")],
    )


def activecloud(tmp_path: Path) -> Register:
    return register(
        tmp_path,
        "activecloud",
        jurisdictions=["ru-152fz", "eu-gdpr"],
        purposes=[
            purpose("mailings", tags=("marketing",)),
            purpose(
                "web-analytics",
                tags=("analytics",),
                categories=("device.cookie_id", "usage.session_recording"),
            ),
        ],
        cookies=[cookie("_ym_visorc", "web-analytics", "Yandex Metrica")],
        items=[item("mailings-email", "mailings", "email")],
    )
