"""What the register says about consent: items, age rules, GPC purposes, time limits.

Pure functions over the register; no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from steward.register.models import ConsentItem, Purpose, Register
from steward.register.taxonomy import Channel

CHANNELS = tuple(str(c) for c in Channel)


class ConsentRuleError(ValueError):
    """A consent the register's rules do not allow as given; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Target:
    """What an event is about: a purpose, a channel and the register's item if there is one."""

    purpose: Purpose
    channel: str
    item: ConsentItem | None


def resolve_target(
    register: Register, *, item_id: str | None, purpose_id: str | None, channel: str | None
) -> Target:
    """Find the item or purpose named; an item fixes the purpose and its channel."""
    if channel is not None and channel not in CHANNELS:
        raise ConsentRuleError(
            "unknown-channel", f"unknown channel '{channel}'; use one of {', '.join(CHANNELS)}"
        )
    if item_id:
        item = next((i for i in register.consents.items if i.id == item_id), None)
        if item is None:
            known = ", ".join(i.id for i in register.consents.items) or "none"
            raise ConsentRuleError(
                "unknown-item", f"no consent item '{item_id}' in the register (items: {known})"
            )
        if purpose_id and purpose_id != item.purpose:
            raise ConsentRuleError(
                "item-purpose-mismatch",
                f"item '{item_id}' is for purpose '{item.purpose}', not '{purpose_id}'",
            )
        item_channel = str(item.channel)
        if channel and item_channel != "any" and channel != item_channel:
            raise ConsentRuleError(
                "item-channel-mismatch",
                f"item '{item_id}' is for channel '{item_channel}', not '{channel}'",
            )
        return Target(register.purpose(item.purpose), channel or item_channel, item)
    if not purpose_id:
        raise ConsentRuleError("missing-purpose", "give 'item' or 'purpose'")
    purpose = next((p for p in register.purposes if p.id == purpose_id), None)
    if purpose is None:
        known = ", ".join(p.id for p in register.purposes)
        raise ConsentRuleError(
            "unknown-purpose", f"no purpose '{purpose_id}' in the register (purposes: {known})"
        )
    channel = channel or "any"
    item = next(
        (
            i
            for i in register.consents.items
            if i.purpose == purpose_id and str(i.channel) in (channel, "any")
        ),
        None,
    )
    return Target(purpose, channel, item)


def age_requirement(register: Register, age: int | None, jurisdiction: str | None) -> str | None:
    """None when no rule applies, "guardian" when a guardian must consent; raises when refused.

    Rules without a jurisdiction apply everywhere; a rule with one applies when the caller names
    that jurisdiction (the subject's, e.g. ``eu-gdpr`` for an EU resident).
    """
    if age is None:
        return None
    needs = None
    for rule in register.consents.age:
        if rule.jurisdiction is not None and str(rule.jurisdiction) != jurisdiction:
            continue
        where = f" under {rule.jurisdiction}" if rule.jurisdiction else ""
        if rule.minimum is not None and age < rule.minimum:
            raise ConsentRuleError(
                "below-minimum-age",
                f"the subject is {age}; the register refuses consent below {rule.minimum}{where}",
            )
        if rule.guardian_below is not None and age < rule.guardian_below:
            needs = "guardian"
    return needs


def gpc_purposes(register: Register) -> list[str]:
    """Purposes that Global Privacy Control opts out of: tagged as the register says.

    A purpose also tagged ``essential`` (the service itself) is never switched off by GPC.
    """
    tags = set(register.consents.gpc_opt_out)
    return [
        p.id for p in register.purposes if tags.intersection(p.tags) and "essential" not in p.tags
    ]


def consent_purposes(register: Register) -> list[str]:
    return [p.id for p in register.purposes if str(p.basis) == "consent"]


def expiry_for(target: Target, given_at: datetime, requested: datetime | None) -> datetime | None:
    """When a permission lapses: the item's time limit, or an earlier requested expiry."""
    limit = target.item.time_limit if target.item else None
    limited = limit.after(given_at) if limit is not None else None
    if requested is not None and (limited is None or requested < limited):
        return requested
    return limited
