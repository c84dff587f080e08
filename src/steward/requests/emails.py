"""E-mails to the subject and to agents, in the subject's language, queued in the outbox.

Texts carry the request's reference, never the identifiers the subject gave.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from steward.law import KIND_NAMES, RequestKind
from steward.lib import i18n
from steward.lib.i18n import N_, Phrase
from steward.notify import outbox
from steward.requests.tables import SubjectRequest

TEXTS: dict[str, tuple[str, str]] = {
    "receipt": (
        N_("We received your request {ref}"),
        N_(
            "We received your request {ref} ({kind}) on {received}.\n"
            "We will answer by {due}{rule}.\n"
        ),
    ),
    "code": (
        N_("Your verification code for request {ref}"),
        N_(
            "Your code is: {code}\n"
            "\n"
            "It works once, for {minutes} minutes. Enter it on the request page:\n"
            "{link}\n"
            "\n"
            "If you did not ask for this, ignore this message.\n"
        ),
    ),
    "result-code": (
        N_("Your code to download the result of request {ref}"),
        N_(
            "Your code is: {code}\n"
            "\n"
            "It works once, for {minutes} minutes, and lets the browser where you enter it "
            "download the result of request {ref}:\n"
            "{link}\n"
            "\n"
            "If you did not ask for this, ignore this message; nothing is sent without the code.\n"
        ),
    ),
    "verified": (
        N_("Request {ref}: identity confirmed"),
        N_(
            "Thank you: your identity is confirmed and we are working on request {ref}.\n"
            "We will answer by {due}.\n"
        ),
    ),
    "extended": (
        N_("Request {ref}: we need more time"),
        N_(
            "We need more time to answer request {ref}, as the law allows ({citation}).\n"
            "Reason: {reason}\n"
            "New date: {due}.\n"
        ),
    ),
    "completed": (
        N_("Request {ref} is complete"),
        N_("Your request {ref} ({kind}) is complete.\n{outcome}\n{link_text}"),
    ),
    "rejected": (
        N_("Request {ref} was declined"),
        N_(
            "We could not carry out request {ref}.\n"
            "Reason: {outcome}\n"
            "You may complain to {authority}.\n"
        ),
    ),
}
"""Each e-mail's subject and body in English, marked for the catalogue."""

LINK_TEXT = N_(
    "Download the result (the link works for {days} days, in the browser where you confirmed "
    "your identity, or in another one after a code we send you):\n"
    "{link}\n"
)


def link_text(lang: str) -> str:
    """The result link's sentence in ``lang``; ``.format(days=..., link=...)``."""
    return i18n.translator(lang).gettext(LINK_TEXT)


def kind_name(kind: str, lang: str) -> str:
    names = KIND_NAMES[RequestKind(kind)]
    return names.get(lang, names["en"])


def send(session: Session, request: SubjectRequest, what: str, **values: object) -> None:
    """Queue the ``what`` e-mail to the subject; a request without an e-mail gets none."""
    if not request.email:
        return
    lang = request.lang if request.lang in i18n.LANGUAGES else i18n.LANGUAGES[0]
    t = i18n.translator(lang)
    subject, body = (t.gettext(text) for text in TEXTS[what])
    fields = {
        "ref": request.reference,
        "kind": kind_name(request.kind, lang),
        "due": request.due_on.isoformat() if request.due_on else "-",
        "received": request.received_on.isoformat(),
        **values,
    }
    outbox.queue(
        session,
        to=request.email,
        subject=subject.format(**fields),
        text=body.format(**fields),
        kind=f"request.{what}",
        lang=lang,
        related=f"request:{request.id}",
    )


def remind(session: Session, request: SubjectRequest, to: str, days_left: int) -> None:
    """Remind ``to`` (the assignee or a DPO) of a request due soon or overdue, in their own
    language (``accounts.people.staff_language``); the clock's rule stays the law's words."""
    from steward.accounts.people import find_person, staff_language
    from steward.requests.states import STATE_NAMES

    lang = staff_language(session, find_person(session, to))
    values = {
        "ref": request.reference,
        "kind": kind_name(request.kind, lang),
        "state": i18n.say(STATE_NAMES.get(request.state, request.state), lang),
        "due": request.due_on.isoformat() if request.due_on else "-",
        "rule": request.clock_rule,
    }
    days = abs(days_left)
    if days_left < 0:
        subject = Phrase.ngettext(
            "Request %(ref)s is overdue by %(num)s day",
            "Request %(ref)s is overdue by %(num)s days",
            days,
            **values,
        )
        text = Phrase.ngettext(
            "Request %(ref)s (%(kind)s, state: %(state)s) is overdue by %(num)s day (it was "
            "due on %(due)s), under %(rule)s.\n",
            "Request %(ref)s (%(kind)s, state: %(state)s) is overdue by %(num)s days (it was "
            "due on %(due)s), under %(rule)s.\n",
            days,
            **values,
        )
    else:
        subject = Phrase.ngettext(
            "Request %(ref)s is due in %(num)s day",
            "Request %(ref)s is due in %(num)s days",
            days,
            **values,
        )
        text = Phrase.ngettext(
            "Request %(ref)s (%(kind)s, state: %(state)s) is due in %(num)s day, on %(due)s, "
            "under %(rule)s.\n",
            "Request %(ref)s (%(kind)s, state: %(state)s) is due in %(num)s days, on %(due)s, "
            "under %(rule)s.\n",
            days,
            **values,
        )
    outbox.queue(
        session,
        to=to,
        subject=subject.say(lang),
        text=text.say(lang),
        kind="request.reminder",
        lang=lang,
        related=f"request:{request.id}",
    )
