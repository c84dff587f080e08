"""Changes to the register's ``policy`` section, and which of them limit the subject.

A limitation is material (announced before it applies): a right removed from the notice, an
answer deadline made longer (or dropped, which leaves the law's), a security measure dropped,
a channel for requests removed, a breach notification channel removed or its delay made
longer, human review of decisions dropped, announcements by a channel stopped. amrcloud's
policy counts "limitations and restrictions" as significant changes; these are they.
"""

from __future__ import annotations

from typing import Final

from steward.lib.i18n import NC_, Vocabulary
from steward.notices import phrases
from steward.notices.change import Change
from steward.register.models import AnswerDeadline, Register


def _days(deadline: AnswerDeadline | None) -> float | None:
    if deadline is None:
        return None
    return deadline.days * (1.4 if deadline.working_days else 1.0)  # 5 working days ~ a week


def _names(text: str) -> dict[str, str]:
    return dict.fromkeys(phrases.LANGUAGES, text)


_REQUEST_CHANNEL: Final = Vocabulary(
    "request-channel",
    {
        "privacy-center": NC_("request-channel", "the Privacy Center"),
        "email": NC_("request-channel", "e-mail"),
        "post": NC_("request-channel", "post"),
        "phone": NC_("request-channel", "telephone"),
        "in-app": NC_("request-channel", "the application"),
        "office": NC_("request-channel", "visiting our office"),
        "messenger": NC_("request-channel", "messenger"),
    },
)


def _channel(channel: str) -> dict[str, str]:
    return {lang: _REQUEST_CHANNEL[lang].get(channel, channel) for lang in phrases.LANGUAGES}


def _right(right: str) -> dict[str, str]:
    key = "transfers-info" if right == "information" else right
    return {lang: phrases.RIGHT[lang].get(key, (right, ""))[0] for lang in phrases.LANGUAGES}


def policy_changes(old: Register, new: Register) -> list[Change]:
    before, after = old.policy, new.policy
    out: list[Change] = []
    old_req, new_req = before.requests, after.requests
    old_rights = [r.value for r in (old_req.rights if old_req else [])]
    new_rights = [r.value for r in (new_req.rights if new_req else [])]
    for right in old_rights:
        if right not in new_rights:
            out.append(Change("policy-right-removed", True, _right(right), old=right))
    for right in new_rights:
        if right not in old_rights:
            out.append(Change("policy-right-added", False, _right(right), new=right))
    old_channels = [c.value for c in (old_req.channels if old_req else [])]
    new_channels = [c.value for c in (new_req.channels if new_req else [])]
    for channel in old_channels:
        if channel not in new_channels:
            out.append(Change("policy-channel-removed", True, _channel(channel), old=channel))
    old_due = old_req.answer_within if old_req else None
    new_due = new_req.answer_within if new_req else None
    if old_due != new_due:
        a, b = _days(old_due), _days(new_due)
        longer = a is not None and (b is None or b > a)
        out.append(
            Change(
                "policy-answer-longer" if longer else "policy-answer-changed",
                longer,
                {},
                old=_deadline(old_due),
                new=_deadline(new_due),
            )
        )
    if old_req and old_req.erase_on_objection and not (new_req and new_req.erase_on_objection):
        out.append(Change("policy-erase-on-objection-dropped", True, {}))
    old_measures = {m.id: m for m in before.security}
    new_ids = {m.id for m in after.security}
    for measure_id, measure in old_measures.items():
        if measure_id not in new_ids:
            name = {
                lang: measure.names.get(lang) or next(iter(measure.names.values()))
                for lang in phrases.LANGUAGES
            }
            out.append(Change("policy-measure-dropped", True, name))
    for measure in after.security:
        if measure.id not in old_measures:
            name = {
                lang: measure.names.get(lang) or next(iter(measure.names.values()))
                for lang in phrases.LANGUAGES
            }
            out.append(Change("policy-measure-added", False, name))
    out.extend(_breach_and_changes(old, new))
    if before.human_review and not after.human_review:
        out.append(Change("policy-human-review-dropped", True, {}))
    return out


def _deadline(deadline: AnswerDeadline | None) -> str | None:
    if deadline is None:
        return None
    return f"{deadline.days}{'w' if deadline.working_days else ''}"


def _breach_and_changes(old: Register, new: Register) -> list[Change]:
    out: list[Change] = []
    before, after = old.policy.breaches, new.policy.breaches
    if before is not None:
        kept = [c.value for c in after.notify_subjects] if after else []
        for channel in before.notify_subjects:
            if channel.value not in kept:
                out.append(Change("policy-breach-channel-removed", True, _names(channel.value)))
        if before.within is not None and (
            after is None
            or after.within is None
            or after.within.approximate_days() > before.within.approximate_days()
        ):
            out.append(Change("policy-breach-slower", True, {}))
    old_notify = [c.value for c in (old.policy.changes.notify if old.policy.changes else [])]
    new_notify = [c.value for c in (new.policy.changes.notify if new.policy.changes else [])]
    for channel in old_notify:
        if channel not in new_notify:
            out.append(Change("policy-notify-removed", True, _names(channel)))
    return out
