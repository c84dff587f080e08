"""The state a record is in, as staff read it: one label per stored code and kind of record
(an incident, a letter to a subject, an e-mail, a filing, a discovery finding, a scheduled
destruction, a retention sweep, a periodic job), in the reader's language.

    status_label("open", "incident", "ru")     # "открыт"
    status_label("sent", "message", "en")      # "sent"
    status_label("new-code", "incident", "ru") # "new-code": a code without a label

Templates use the filter: ``{{ i.status | status("incident") }}``. The stored code stays what the
API, the exports and the evidence hold; only the page puts a word on it. Each kind has its own
catalogue context (``"<kind> status"``), as Russian gives a state the gender of its record
(an incident "открыт", a finding "отклонена").
"""

from __future__ import annotations

from steward.lib import i18n
from steward.lib.i18n import NC_

STATUS_NAMES: dict[str, dict[str, str]] = {
    "incident": {
        "reported": NC_("incident status", "reported"),
        "open": NC_("incident status", "open"),
        "closed": NC_("incident status", "closed"),
    },
    "letter": {
        "queued": NC_("letter status", "queued"),
        "sending": NC_("letter status", "sending"),
        "sent": NC_("letter status", "sent"),
        "failed": NC_("letter status", "failed"),
        "to-call": NC_("letter status", "to call"),
        "called": NC_("letter status", "called"),
    },
    "message": {
        "queued": NC_("message status", "queued"),
        "sending": NC_("message status", "sending"),
        "sent": NC_("message status", "sent"),
        "failed": NC_("message status", "failed"),
    },
    "filing": {
        "draft": NC_("filing status", "draft"),
        "filed": NC_("filing status", "filed"),
        "superseded": NC_("filing status", "superseded"),
    },
    "finding": {
        "open": NC_("finding status", "open"),
        "accepted": NC_("finding status", "accepted"),
        "dismissed": NC_("finding status", "dismissed"),
    },
    "destruction": {
        "scheduled": NC_("destruction status", "scheduled"),
        "submitted": NC_("destruction status", "submitted"),
    },
    "sweep": {
        "running": NC_("sweep status", "running"),
        "done": NC_("sweep status", "done"),
        "partial": NC_("sweep status", "partial"),
        "failed": NC_("sweep status", "failed"),
    },
    "job": {
        "fired": NC_("job status", "started"),
        "not-fired": NC_("job status", "not started"),
        "done": NC_("job status", "done"),
        "failed": NC_("job status", "failed"),
    },
}
"""Every code each kind of record is stored with, and its label in English."""


def status_label(code: str, kind: str, lang: str) -> str:
    """``code``'s label for a record of ``kind`` in ``lang``; a code without one as it is."""
    label = STATUS_NAMES.get(kind, {}).get(code)
    if label is None:
        return code
    return i18n.translator(lang).pgettext(f"{kind} status", label)
