"""Settings: what this Steward runs with, mandatory TOTP, and API tokens for machines."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.engine import make_url

from steward.accounts.people import TOTP_REQUIRED, AccountError, set_setting, totp_required
from steward.accounts.tables import ApiToken
from steward.accounts.tokens import SCOPES, all_tokens, create_token, revoke_token
from steward.jobs.schedule import periodic_jobs
from steward.jobs.scheduler import schedule_rows
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.notify.jobs import send_test, where_of
from steward.web.auth import Principal, require
from steward.web.errors import ApiError
from steward.web.pages.common import admin_gettext, admin_lang, see_other, store
from steward.web.templating import templates

# Each periodic job's description (its docstring's first line, ``jobs/schedule.py``) marked
# for the catalogue. A job missing here, or whose docstring changed, shows its English text;
# tests/unit/web/test_settings_text.py fails on a changed one.
JOB_TEXT: dict[str, str] = {
    "breaches.clocks": N_(
        "Remind the DPO of breach notification clocks that are close or overdue."
    ),
    "consent.expire": N_('Append an "expired" event for every permission whose time ran out.'),
    "consent.webhooks": N_("Send consent webhooks that are due, failed ones after their back-off."),
    "discovery.scan": N_(
        "Scan every datastore of the register in force for personal data it does not declare."
    ),
    "filings.remind": N_(
        "Regenerate the Roskomnadzor drafts from the register in force and remind of deadlines."
    ),
    "ledger.anchor": N_(
        "Sign the heads of the audit log and the consent ledger (kept in chain_anchors)."
    ),
    "outbox.deliver": N_("Send queued e-mail over SMTP, retry with back-off."),
    "requests.destructions": N_(
        "Queue the erasure run of each destruction a withdrawal scheduled, once its day comes."
    ),
    "requests.remind": N_(
        "Remind assignees and DPOs of requests due soon or overdue (once a day each)."
    ),
    "retention.own_data": N_(
        "Purge Steward's own data past its period: results, codes, scans, acts, sent e-mail."
    ),
    "retention.sweep": N_("Destroy what the register's retention rules make due, with its act."),
    "runs.recover": N_(
        "Hand back abandoned and due runs; finish requests whose run ended unreported."
    ),
}

router = APIRouter(include_in_schema=False)


def _settings_page(request: Request, who: Principal, **extra: object) -> Response:
    settings = request.app.state.settings
    with store(request) as session:
        tokens = all_tokens(session)
        required = totp_required(session)
        recorded = {row.name: row for row in schedule_rows(session)}
    # every periodic job this version has, with the scheduler's record of it (none yet: never)
    schedule = [(job, recorded.get(job.name)) for job in periodic_jobs()]
    _ = admin_gettext(request)
    job_text = {
        job.name: _(JOB_TEXT[job.name]) if JOB_TEXT.get(job.name) == job.description else ""
        for job, _row in schedule
    }
    facts = [
        (_("Store"), make_url(settings.database_url).get_backend_name()),
        (_("Public address"), settings.base_url),
        (
            _("E-mail"),
            _("SMTP via %(server)s") % {"server": where_of(settings)}
            if settings.smtp_url
            else _("outbox only"),
        ),
        (
            _("Jobs"),
            _("Celery workers (queue %(queue)s)") % {"queue": settings.job_queue}
            if settings.broker_url
            else _("in-process worker and scheduler"),
        ),
        (_("Development mode"), _("on") if settings.dev else _("off")),
    ]
    context = {
        "facts": facts,
        "tokens": tokens,
        "scopes": {scope: _(text) for scope, text in SCOPES.items()},
        "job_text": job_text,
        "totp_required": required,
        "keep_days": settings.outbox_keep_sent_days,
        "schedule": schedule,
    }
    status = int(extra.pop("status", 400 if extra.get("error") else 200))  # type: ignore[call-overload]
    context.update(extra)
    return templates.TemplateResponse(request, "admin/settings.html", context, status_code=status)


@router.get("/admin/settings", response_class=HTMLResponse)
def settings_page(
    request: Request, who: Annotated[Principal, Depends(require("settings.read"))]
) -> Response:
    return _settings_page(request, who)


@router.post("/admin/settings/totp")
def set_totp_required(
    request: Request,
    who: Annotated[Principal, Depends(require("people.manage"))],
    required: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    value = "1" if required == "1" else "0"
    with store(request) as session:
        set_setting(session, TOTP_REQUIRED, value)
        who.record(
            session,
            "settings.totp_required",
            object_type="setting",
            object_id=TOTP_REQUIRED,
            details={"value": value == "1"},
        )
    return see_other("/admin/settings")


@router.post("/admin/settings/test-email", response_class=HTMLResponse)
def send_test_email(
    request: Request, who: Annotated[Principal, Depends(require("settings.manage"))]
) -> Response:
    """Send a test e-mail to the signed-in person now and say whether it left."""
    if who.kind != "person":
        raise ApiError(403, "forbidden", N_("A test e-mail goes to a signed-in person."))
    report = send_test(
        request.app.state.sessions, request.app.state.settings, who.name, actor=who.actor
    )
    with store(request) as session:
        who.record(
            session,
            "settings.test_email",
            object_type="setting",
            object_id="smtp",
            details={"sent": bool(report.sent), "error": report.error},
        )
    if report.sent:
        return _settings_page(request, who, flash=f"A test e-mail left for {who.name}.")
    # The form was fine; the answer is the page with the reason (the outbox keeps the message).
    return _settings_page(
        request, who, error=f"The test e-mail did not leave: {report.error}.", status=200
    )


@router.post("/admin/settings/tokens", response_class=HTMLResponse)
async def new_token(
    request: Request, who: Annotated[Principal, Depends(require("tokens.manage"))]
) -> Response:
    form = await request.form()
    name = str(form.get("name", ""))[:200]
    scopes = [str(s)[:40] for s in form.getlist("scope")][:10]
    try:
        with store(request) as session:
            raw, row = create_token(session, name, scopes, created_by=who.id)
            who.record(
                session,
                "token.create",
                object_type="api_token",
                object_id=row.id,
                details={"scopes": sorted(row.scope_set), "name": row.name},
            )
    except AccountError as exc:
        return _settings_page(request, who, error=i18n.told(exc, admin_lang(request)))
    flash = i18n.say(N_("Token %(name)r created."), admin_lang(request), {"name": row.name})
    return _settings_page(request, who, new_token=raw, flash=flash)


@router.post("/admin/settings/tokens/{token_id}/revoke")
def revoke(
    request: Request,
    token_id: int,
    who: Annotated[Principal, Depends(require("tokens.manage"))],
) -> Response:
    with store(request) as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise ApiError(404, "not_found", N_("No API token %(id)s."), id=token_id)
        revoke_token(row)
        who.record(session, "token.revoke", object_type="api_token", object_id=row.id)
    return see_other("/admin/settings")
