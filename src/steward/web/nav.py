"""The admin navigation: every section, the permission that shows it, where it lives.

The links never change; a section a later feature has not built yet is served by
``web/pages/placeholders.py`` at the same address, so no link is ever dead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Section:
    slug: str
    label: str
    href: str
    permission: str


SECTIONS: tuple[Section, ...] = (
    Section("dashboard", "Dashboard", "/admin/", "dashboard.read"),
    Section("requests", "Requests", "/admin/requests", "requests.read"),
    Section("consents", "Consents", "/admin/consents", "consents.read"),
    Section("notices", "Notices", "/admin/notices", "notices.read"),
    Section("register", "Register", "/admin/register", "register.read"),
    Section("discovery", "Discovery", "/admin/discovery", "discovery.read"),
    Section("retention", "Retention", "/admin/retention", "retention.read"),
    Section("breaches", "Breaches", "/admin/breaches", "breaches.read"),
    Section("filings", "Filings", "/admin/filings", "filings.read"),
    Section("audit", "Audit log", "/admin/audit", "audit.read"),
    Section("people", "People", "/admin/people", "people.read"),
    Section("outbox", "Outbox", "/admin/outbox", "outbox.read"),
    Section("settings", "Settings", "/admin/settings", "settings.read"),
)


def visible_sections(principal: Any, path: str = "") -> list[dict[str, Any]]:
    """The sections ``principal`` may open, each marked ``current`` when ``path`` is in it."""
    if principal is None:
        return []
    shown = []
    for section in SECTIONS:
        if not principal.can(section.permission):
            continue
        current = path == section.href or (
            section.href != "/admin/" and path.startswith(section.href)
        )
        shown.append({"label": section.label, "href": section.href, "current": current})
    return shown
