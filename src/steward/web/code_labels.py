"""Codes Steward stores, as staff read them: the state a record is in (an incident, a letter to
a subject, an e-mail, a filing, a discovery finding, a scheduled destruction, a retention
sweep, a periodic job), a problem's severity, the channel a request came by, an e-mail's kind,
a consent's channel, how it was recorded and the reason of a consent decision, a discovery
finding's kind. One label per code and kind, in the reader's language.

    code_label("open", "incident status", "ru")    # "открыт"
    code_label("sent", "message status", "en")     # "sent"
    code_label("new-code", "incident status", "ru") # "new-code": a code without a label

Templates use the filter: ``{{ i.status | label("incident status") }}``. The stored code stays
what the API, the exports and the evidence hold; only the page puts a word on it. Each kind is
its own catalogue context, as Russian gives a state the gender of its record (an incident
"открыт", a finding "отклонена").
"""

from __future__ import annotations

from steward.lib import i18n
from steward.lib.i18n import NC_

CODE_LABELS: dict[str, dict[str, str]] = {
    "incident status": {
        "reported": NC_("incident status", "reported"),
        "open": NC_("incident status", "open"),
        "closed": NC_("incident status", "closed"),
    },
    "letter status": {
        "queued": NC_("letter status", "queued"),
        "sending": NC_("letter status", "sending"),
        "sent": NC_("letter status", "sent"),
        "failed": NC_("letter status", "failed"),
        "to-call": NC_("letter status", "to call"),
        "called": NC_("letter status", "called"),
    },
    "letter channel": {
        "email": NC_("letter channel", "e-mail"),
        "sms": NC_("letter channel", "SMS"),
        "call": NC_("letter channel", "telephone call"),
    },
    "message status": {
        "queued": NC_("message status", "queued"),
        "sending": NC_("message status", "sending"),
        "sent": NC_("message status", "sent"),
        "failed": NC_("message status", "failed"),
    },
    "filing status": {
        "draft": NC_("filing status", "draft"),
        "filed": NC_("filing status", "filed"),
        "superseded": NC_("filing status", "superseded"),
    },
    "finding status": {
        "open": NC_("finding status", "open"),
        "accepted": NC_("finding status", "accepted"),
        "dismissed": NC_("finding status", "dismissed"),
    },
    "destruction status": {
        "scheduled": NC_("destruction status", "scheduled"),
        "submitted": NC_("destruction status", "submitted"),
    },
    "sweep status": {
        "running": NC_("sweep status", "running"),
        "done": NC_("sweep status", "done"),
        "partial": NC_("sweep status", "partial"),
        "failed": NC_("sweep status", "failed"),
    },
    "job status": {
        "fired": NC_("job status", "started"),
        "not-fired": NC_("job status", "not started"),
        "done": NC_("job status", "done"),
        "failed": NC_("job status", "failed"),
    },
    "severity": {
        "error": NC_("severity", "error"),
        "warning": NC_("severity", "warning"),
    },
    "request channel": {
        "privacy-center": NC_("request channel", "the Privacy Center"),
        "api": NC_("request channel", "the API"),
        "email": NC_("request channel", "e-mail"),
        "phone": NC_("request channel", "telephone"),
        "post": NC_("request channel", "post"),
        "in-app": NC_("request channel", "the operator's app"),
    },
    "message kind": {
        "admin.invitation": NC_("message kind", "staff invitation"),
        "admin.password_reset": NC_("message kind", "password reset"),
        "breach.letter": NC_("message kind", "breach letter to a subject"),
        "breach.reminder": NC_("message kind", "breach clock reminder"),
        "consents.center-link": NC_("message kind", "link to the consent settings"),
        "filing.reminder": NC_("message kind", "filing reminder"),
        "notice.announcement": NC_("message kind", "notice change announced"),
        "request.reminder": NC_("message kind", "request deadline reminder"),
        "settings.test": NC_("message kind", "test e-mail"),
        "request.code": NC_("message kind", "request: confirmation code"),
        "request.completed": NC_("message kind", "request: completed"),
        "request.extended": NC_("message kind", "request: deadline extended"),
        "request.receipt": NC_("message kind", "request: receipt"),
        "request.rejected": NC_("message kind", "request: rejected"),
        "request.result-code": NC_("message kind", "request: download code"),
        "request.verified": NC_("message kind", "request: identity confirmed"),
    },
    "consent reason": {
        "given": NC_("consent reason", "consent given"),
        "refused": NC_("consent reason", "consent refused"),
        "withdrawn": NC_("consent reason", "consent withdrawn"),
        "expired": NC_("consent reason", "consent expired"),
        "reconfirmation-required": NC_("consent reason", "to be confirmed again"),
        "no-consent": NC_("consent reason", "no consent recorded"),
    },
    "consent channel": {
        "any": NC_("consent channel", "any channel"),
        "email": NC_("consent channel", "e-mail"),
        "phone": NC_("consent channel", "telephone"),
        "sms": NC_("consent channel", "SMS"),
        "post": NC_("consent channel", "post"),
        "messenger": NC_("consent channel", "messenger"),
        "web": NC_("consent channel", "the website"),
        "push": NC_("consent channel", "push notifications"),
    },
    "consent method": {
        "banner": NC_("consent method", "cookie banner"),
        "web-form": NC_("consent method", "web form"),
        "api": NC_("consent method", "the API"),
        "paper": NC_("consent method", "on paper"),
        "phone": NC_("consent method", "by telephone"),
        "gpc": NC_("consent method", "Global Privacy Control"),
        "unsubscribe": NC_("consent method", "unsubscribe link"),
        "system": NC_("consent method", "Steward itself"),
    },
    "finding kind": {
        "unsolicited": NC_("finding kind", "data people are asked not to send"),
        "special": NC_("finding kind", "special category not declared"),
        "undeclared": NC_("finding kind", "not declared"),
        "undeclared-by-name": NC_("finding kind", "not declared (by the column's name)"),
        "wrong-category": NC_("finding kind", "another category than declared"),
        "sparse": NC_("finding kind", "too few values to tell"),
        "declared-empty": NC_("finding kind", "declared, none found"),
    },
}
"""Every code of each kind Steward stores, and its label in English (the kind is the context)."""


def code_label(code: str, kind: str, lang: str) -> str:
    """``code``'s label of ``kind`` in ``lang``; a code without one as it is."""
    label = CODE_LABELS.get(kind, {}).get(code)
    if label is None:
        return code
    return i18n.translator(lang).pgettext(kind, label)
