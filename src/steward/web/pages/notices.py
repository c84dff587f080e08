"""Privacy Center pages for the notice: the current notice and every published version.

    GET /privacy/notice?lang=ru                     the notice in force (HTML)
    GET /privacy/notice/versions?lang=ru            every version with what changed, in words
    GET /privacy/notice/versions/{n}?lang=ru        one version as published
    GET /privacy/notice/versions/{n}.md?lang=ru     its Markdown; .html its standalone page
    GET /privacy/notice.css                         the notice's stylesheet

The notice in force is the latest published version; before anything is published the page
renders the loaded register as an "unpublished draft" so a new installation shows something.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from steward.lib import i18n
from steward.lib.i18n import N_
from steward.notices import phrases
from steward.notices.content import build_notice
from steward.notices.diff import describe
from steward.notices.publish import (
    document,
    latest_version,
    notice_languages,
    stored_changes,
    upcoming_version,
    version_by_number,
    version_in_force,
    version_languages,
    versions,
)
from steward.notices.render import (
    PAGE_WORDS,
    TEMPLATES,
    environment,
    markdown_to_html,
    render_markdown,
)
from steward.notices.tables import NoticeVersion
from steward.register.models import Register
from steward.web.templating import templates

router = APIRouter(include_in_schema=False)
_CSS = (TEMPLATES / "notice.css").read_text(encoding="utf-8")
_WORDS: dict[str, str] = {
    "title": N_("Privacy notice: versions"),
    "version": N_("Version"),
    "published": N_("Published"),
    "material": N_("significant change"),
    "announced": N_("announced by e-mail"),
    "first": N_("first published version"),
    "read": N_("Read"),
    "changes": N_("What changed"),
    "none": N_("No notice has been published yet."),
    "current": N_("Current notice"),
    "upcoming": N_("A new version {number} of this notice applies from {date}: [read it]({href})."),
}


def _templates(request: Request) -> Jinja2Templates:
    return templates


def _operator_and_register(request: Request) -> tuple[str | None, Register | None]:
    register: Register | None = request.app.state.register
    if register is not None:
        return register.operator.id, register
    with request.app.state.sessions() as session:
        latest = latest_version(session)
        return (latest.operator_id if latest else None), None


def _pick_lang(requested: str | None, available: list[str]) -> str:
    if requested is None:
        return available[0]
    if requested not in available:
        raise HTTPException(
            404, f"no notice in language '{requested}'; available: {', '.join(available)}"
        )
    return requested


def _page(markdown: str, lang: str, request: Request) -> HTMLResponse:
    body, title, toc = markdown_to_html(markdown)
    html = (
        environment()
        .get_template("page.html.j2")
        .render(
            lang=lang,
            title=Markup(title),  # noqa: S704 - markdown-it output of escaped text
            body=Markup(body),  # noqa: S704
            toc=[(anchor, Markup(text)) for anchor, text in toc],  # noqa: S704
            css=Markup(""),
            stylesheet_href="/privacy/notice.css",
            versions_href=f"/privacy/notice/versions?lang={lang}",
            words=i18n.words(PAGE_WORDS, lang),
        )
    )
    return HTMLResponse(html)


@router.get("/privacy/notice.css")
def notice_css() -> Response:
    return Response(_CSS, media_type="text/css")


@router.get("/privacy/notice", response_class=HTMLResponse)
def current_notice(request: Request, lang: str | None = None) -> HTMLResponse:
    operator_id, register = _operator_and_register(request)
    if operator_id is None:
        raise HTTPException(404, "no register is loaded and no notice has been published")
    with request.app.state.sessions() as session:
        latest = version_in_force(session, operator_id)
        upcoming = upcoming_version(session, operator_id)
        if latest is None and upcoming is not None:
            latest, upcoming = upcoming, None  # nothing applies yet: show the only version
        if latest is not None:
            chosen = _pick_lang(lang, version_languages(session, latest))
            markdown = document(session, latest, chosen, "md") or ""
            if upcoming is not None:
                markdown = _announce_upcoming(markdown, upcoming, chosen)
            return _page(markdown, chosen, request)
    assert register is not None
    chosen = _pick_lang(lang, notice_languages(register))
    from steward.retention.service import sweeps_running

    with request.app.state.sessions() as session:
        running = sweeps_running(session, register)
    notice = build_notice(
        register,
        chosen,
        published=date.today(),
        base_url=request.app.state.settings.base_url,
        sweeps_running=running,
    )
    return _page(render_markdown(notice), chosen, request)


def _announce_upcoming(markdown: str, upcoming: NoticeVersion, lang: str) -> str:
    """The notice in force, with a line under its title saying which version comes next."""
    words = i18n.words(_WORDS, lang)
    line = words["upcoming"].format(
        number=upcoming.number,
        date=phrases.long_date(upcoming.applies_from.date(), lang),
        href=f"/privacy/notice/versions/{upcoming.number}?lang={lang}",
    )
    lines = markdown.split("\n")
    at = next((i for i, text in enumerate(lines) if text.startswith("# ")), -1) + 1
    return "\n".join([*lines[:at], "", f"> {line}", "", *lines[at:]])


def _version_or_404(request: Request, session: Any, number: int) -> NoticeVersion:
    operator_id, _ = _operator_and_register(request)
    version = version_by_number(session, operator_id or "", number) if operator_id else None
    if version is None:
        raise HTTPException(404, f"there is no published notice version {number}")
    return version


@router.get("/privacy/notice/versions", response_class=HTMLResponse)
def notice_versions(request: Request, lang: str | None = None) -> HTMLResponse:
    operator_id, register = _operator_and_register(request)
    default = notice_languages(register)[0] if register else "en"
    chosen = lang if lang in phrases.LANGUAGES else default
    rows = []
    if operator_id is not None:
        with request.app.state.sessions() as session:
            for version in versions(session, operator_id):
                rows.append(
                    {
                        "number": version.number,
                        "published": phrases.long_date(version.published_at.date(), chosen),
                        "iso": version.published_at.date().isoformat(),
                        "material": version.material,
                        "announced": version.announced > 0,
                        "sha": version.content_sha256,
                        "changes": [
                            Markup(  # noqa: S704 - escaped before the emphasis is added
                                _emphasis(describe(c, chosen))
                            )
                            for c in stored_changes(version)
                        ],
                        "langs": version_languages(session, version),
                    }
                )
    return _templates(request).TemplateResponse(
        request,
        "privacy/notice_versions.html",
        {"lang": chosen, "rows": rows, "w": i18n.words(_WORDS, chosen)},
    )


def _emphasis(text: str) -> str:
    import re

    from markupsafe import escape

    return re.sub(r"\*([^*]+)\*", r"<em>\1</em>", str(escape(text)))


@router.get("/privacy/notice/versions/{number}.{fmt}")
def version_download(request: Request, number: int, fmt: str, lang: str | None = None) -> Response:
    if fmt not in ("md", "html"):
        raise HTTPException(404, "a version is available as .md or .html")
    with request.app.state.sessions() as session:
        version = _version_or_404(request, session, number)
        chosen = _pick_lang(lang, version_languages(session, version))
        content = document(session, version, chosen, fmt) or ""
    if fmt == "md":
        return PlainTextResponse(content, media_type="text/markdown; charset=utf-8")
    return HTMLResponse(content)


@router.get("/privacy/notice/versions/{number}", response_class=HTMLResponse)
def version_page(request: Request, number: int, lang: str | None = None) -> HTMLResponse:
    with request.app.state.sessions() as session:
        version = _version_or_404(request, session, number)
        chosen = _pick_lang(lang, version_languages(session, version))
        markdown = document(session, version, chosen, "md") or ""
    return _page(markdown, chosen, request)
