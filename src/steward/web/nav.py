"""The admin navigation: every section, the permission that shows it, where it lives.

The links never change; a section a later feature has not built yet is served by
``web/pages/placeholders.py`` at the same address, so no link is ever dead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from steward.lib.i18n import N_


@dataclass(frozen=True, slots=True)
class Section:
    slug: str
    label: str  # English; the template translates it
    href: str
    permission: str


SECTIONS: tuple[Section, ...] = (
    Section("dashboard", N_("Dashboard"), "/admin/", "dashboard.read"),
    Section("requests", N_("Requests"), "/admin/requests", "requests.read"),
    Section("consents", N_("Consents"), "/admin/consents", "consents.read"),
    Section("notices", N_("Notices"), "/admin/notices", "notices.read"),
    Section("register", N_("Register"), "/admin/register", "register.read"),
    Section("discovery", N_("Discovery"), "/admin/discovery", "discovery.read"),
    Section("retention", N_("Retention"), "/admin/retention", "retention.read"),
    Section("breaches", N_("Breaches"), "/admin/breaches", "breaches.read"),
    Section("filings", N_("Filings"), "/admin/filings", "filings.read"),
    Section("audit", N_("Audit log"), "/admin/audit", "audit.read"),
    Section("people", N_("People"), "/admin/people", "people.read"),
    Section("outbox", N_("Outbox"), "/admin/outbox", "outbox.read"),
    Section("settings", N_("Settings"), "/admin/settings", "settings.read"),
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
