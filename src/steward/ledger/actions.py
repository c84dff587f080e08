"""The audit log's action codes as a person reads them: one label per code, in the reader's
language, for the admin's audit page.

    action_label("request.to-completed", "en")          # "Request: completed"
    action_label("breach.reminder:gdpr-authority:soon", "en")
    action_label("something.new", "ru")                  # "something.new": a code without a label

The stored code stays what the log, its filter and its exports hold (``request.to-completed``),
the same for every reader; only the page puts a label beside it. A code Steward writes with no
label here is caught by ``tests/unit/ledger/test_action_labels.py``.
"""

from __future__ import annotations

from steward.lib import i18n
from steward.lib.i18n import NC_

CONTEXT = "audit action"


ACTIONS: dict[str, str] = {
    # signing in and the accounts of staff
    "auth.sign_in": NC_("audit action", "Signed in"),
    "auth.sign_in_failed": NC_("audit action", "Sign-in failed"),
    "auth.sign_out": NC_("audit action", "Signed out"),
    "auth.sign_out_everywhere": NC_("audit action", "Signed out everywhere"),
    "auth.session_revoke": NC_("audit action", "Session ended"),
    "auth.password_reset_request": NC_("audit action", "Password reset asked for"),
    "auth.password_reset": NC_("audit action", "Password reset"),
    "person.create": NC_("audit action", "Account created"),
    "person.invite": NC_("audit action", "Invitation sent"),
    "person.invite_revoke": NC_("audit action", "Invitation withdrawn"),
    "person.invitation_accept": NC_("audit action", "Invitation accepted"),
    "person.role_change": NC_("audit action", "Role changed"),
    "person.deactivate": NC_("audit action", "Account deactivated"),
    "person.language": NC_("audit action", "Admin language chosen"),
    "person.password_change": NC_("audit action", "Password changed"),
    "person.password_reset": NC_("audit action", "Password reset from the command line"),
    "person.totp_enable": NC_("audit action", "Second factor turned on"),
    "person.totp_disable": NC_("audit action", "Second factor turned off"),
    "person.totp_reset": NC_("audit action", "Second factor reset from the command line"),
    "settings.totp_required": NC_("audit action", "Second factor requirement changed"),
    "settings.test_email": NC_("audit action", "Test e-mail sent"),
    "token.create": NC_("audit action", "API token created"),
    "token.revoke": NC_("audit action", "API token revoked"),
    # the register, notices, filings, the log itself
    "register.load": NC_("audit action", "Register loaded"),
    "register.reload": NC_("audit action", "Register reloaded"),
    "register.reload_refused": NC_("audit action", "Register reload refused"),
    "notice.publish": NC_("audit action", "Notice published"),
    "filing.draft": NC_("audit action", "Filing drafted"),
    "filing.filed": NC_("audit action", "Filing recorded as filed"),
    "audit.export": NC_("audit action", "Audit log exported"),
    # consent
    "consent.given": NC_("audit action", "Consent: given"),
    "consent.refused": NC_("audit action", "Consent: refused"),
    "consent.withdrawn": NC_("audit action", "Consent: withdrawn"),
    "consent.expired": NC_("audit action", "Consent: expired"),
    "consent.lookup": NC_("audit action", "Consents of a subject looked up"),
    "disclosure.record": NC_("audit action", "Disclosure recorded"),
    # discovery and retention
    "discovery.accept": NC_("audit action", "Finding accepted"),
    "discovery.dismiss": NC_("audit action", "Finding dismissed"),
    "retention.sweep": NC_("audit action", "Retention sweep"),
    "retention.sweep.asked": NC_("audit action", "Retention sweep asked for"),
    "retention.hold": NC_("audit action", "Hold placed"),
    "retention.release": NC_("audit action", "Hold released"),
    "retention.own_data": NC_("audit action", "Steward's own data purged"),
    # runs on the operator's databases
    "execution.submit": NC_("audit action", "Run submitted"),
    "execution.access": NC_("audit action", "Run: access"),
    "execution.portability": NC_("audit action", "Run: portability"),
    "execution.erasure": NC_("audit action", "Run: erasure"),
    "execution.restriction": NC_("audit action", "Run: restriction"),
    "execution.rectification": NC_("audit action", "Run: rectification"),
    "execution.access.datastore": NC_("audit action", "Run on a datastore: access"),
    "execution.portability.datastore": NC_("audit action", "Run on a datastore: portability"),
    "execution.erasure.datastore": NC_("audit action", "Run on a datastore: erasure"),
    "execution.restriction.datastore": NC_("audit action", "Run on a datastore: restriction"),
    "execution.rectification.datastore": NC_("audit action", "Run on a datastore: rectification"),
    "requests.destruction": NC_("audit action", "Scheduled destruction run"),
    # a request's life (its timeline's actions)
    "request.file": NC_("audit action", "Request: filed"),
    "request.to-received": NC_("audit action", "Request: back to received"),
    "request.to-verifying": NC_("audit action", "Request: verifying the identity"),
    "request.to-verified": NC_("audit action", "Request: identity verified"),
    "request.to-in-progress": NC_("audit action", "Request: in progress"),
    "request.to-awaiting-approval": NC_("audit action", "Request: awaiting approval"),
    "request.to-completed": NC_("audit action", "Request: completed"),
    "request.to-rejected": NC_("audit action", "Request: rejected"),
    "request.to-withdrawn": NC_("audit action", "Request: withdrawn"),
    "request.verified": NC_("audit action", "Request: identity confirmed"),
    "request.verification-waived": NC_("audit action", "Request: no identity check needed"),
    "request.proven": NC_("audit action", "Request: identifier proven"),
    "request.code-sent": NC_("audit action", "Request: code sent"),
    "request.code-wrong": NC_("audit action", "Request: wrong code entered"),
    "request.duplicate-of": NC_("audit action", "Request: linked to its original"),
    "request.duplicate-linked": NC_("audit action", "Request: a duplicate linked to it"),
    "request.unlinked": NC_("audit action", "Request: unlinked from its original"),
    "request.closed-with-original": NC_("audit action", "Request: closed with its original"),
    "request.assigned": NC_("audit action", "Request: assigned"),
    "request.subject-kind": NC_("audit action", "Request: subject kind changed"),
    "request.note": NC_("audit action", "Request: note added"),
    "request.extended": NC_("audit action", "Request: deadline extended"),
    "request.paused": NC_("audit action", "Request: clock paused"),
    "request.resumed": NC_("audit action", "Request: clock resumed"),
    "request.reminded": NC_("audit action", "Request: staff reminded"),
    "request.preview-queued": NC_("audit action", "Request: preview queued"),
    "request.previewed": NC_("audit action", "Request: previewed"),
    "request.preview-stopped": NC_("audit action", "Request: preview stopped"),
    "request.run-queued": NC_("audit action", "Request: run queued"),
    "request.run-stopped": NC_("audit action", "Request: run stopped"),
    "request.executed": NC_("audit action", "Request: executed"),
    "request.not-completed": NC_("audit action", "Request: run left identifying rows"),
    "request.answered": NC_("audit action", "Request: answered"),
    "request.result-attached": NC_("audit action", "Request: result attached"),
    "request.result-code-sent": NC_("audit action", "Request: download code sent"),
    "request.result-reverified": NC_("audit action", "Request: download code entered"),
    "request.result-downloaded": NC_("audit action", "Request: result downloaded"),
    "request.result-purged": NC_("audit action", "Request: result purged"),
    "request.attachment-read": NC_("audit action", "Request: attachment opened"),
    "request.attachment-purged": NC_("audit action", "Request: attachments purged"),
    "request.destruction-queued": NC_("audit action", "Request: destruction queued"),
    "request.destruction-waiting": NC_("audit action", "Request: destruction waiting"),
    # a breach incident's life (its timeline's steps)
    "breach.recorded": NC_("audit action", "Breach: recorded"),
    "breach.reported": NC_("audit action", "Breach: reported in the Privacy Center"),
    "breach.confirmed": NC_("audit action", "Breach: confirmed"),
    "breach.risk-assessed": NC_("audit action", "Breach: risk assessed"),
    "breach.duty-done": NC_("audit action", "Breach: notification recorded as sent"),
    "breach.count-asked": NC_("audit action", "Breach: counting asked for"),
    "breach.counted": NC_("audit action", "Breach: subjects counted"),
    "breach.letters-asked": NC_("audit action", "Breach: letters asked for"),
    "breach.letters": NC_("audit action", "Breach: letters sent"),
    "breach.called": NC_("audit action", "Breach: subject called"),
    "breach.closed": NC_("audit action", "Breach: closed"),
}
"""Every code Steward writes to the audit log, its label in English (context "audit action")."""

REMINDERS: dict[str, str] = {
    "soon": NC_("audit action", "Breach: reminder, %(duty)s due soon"),
    "overdue": NC_("audit action", "Breach: reminder, %(duty)s overdue"),
}
"""``breach.reminder:<duty>:<stage>``: one label per stage, the duty's id put in."""


def action_label(code: str, lang: str) -> str:
    """``code``'s label in ``lang``; a code without one is shown as it is."""
    t = i18n.translator(lang)
    label = ACTIONS.get(code)
    if label is not None:
        return t.pgettext(CONTEXT, label)
    prefix, _, rest = code.partition(":")
    duty, _, stage = rest.rpartition(":")
    if prefix == "breach.reminder" and duty and stage in REMINDERS:
        return i18n.fill(t.pgettext(CONTEXT, REMINDERS[stage]), REMINDERS[stage], {"duty": duty})
    return code
