"""Small helpers shared by the admin page routers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.lib import i18n
from steward.store.db import transaction


@contextmanager
def store(request: Request) -> Iterator[Session]:
    """A store session in one transaction: committed on success, rolled back on error."""
    with transaction(request.app.state.sessions) as session:
        yield session


def https(request: Request) -> bool:
    return request.url.scheme == "https" or str(request.app.state.settings.base_url).startswith(
        "https://"
    )


def offered_languages(request: Request) -> list[str]:
    """The languages a public page is offered in: the register's that Steward speaks, in the
    register's order (the operator's first language first), else English."""
    register = request.app.state.register
    declared = register.operator.languages if register else []
    return [lang for lang in declared if lang in i18n.LANGUAGES] or [i18n.LANGUAGES[0]]


def pick_lang(request: Request, given: str | None = None, *, steward_text: bool = False) -> str:
    """The one language picker of the public pages: ``given`` (a form field), else ``?lang=``,
    else the browser's best by Accept-Language, else the operator's first language
    (activecloud writes only in Russian).

    A page about the operator's own text (the home, the notice, consents) is offered in the
    register's languages; a page of Steward's own text (``steward_text``: the request form, the
    security report) in every language Steward speaks, the register's first."""
    offered = offered_languages(request)
    if steward_text:
        offered += [lang for lang in i18n.LANGUAGES if lang not in offered]
    candidates = (given, request.query_params.get("lang"))
    return i18n.pick(candidates, request.headers.get("accept-language", ""), offered)


def admin_lang(request: Request) -> str:
    """An admin page's language: the signed-in person's choice (Account page), else the
    browser's best by Accept-Language, else English."""
    principal = request.scope.get("state", {}).get("principal")
    chosen = getattr(principal, "language", None)
    accept = request.headers.get("accept-language", "")
    return i18n.pick((chosen,), accept, i18n.LANGUAGES, default=i18n.LANGUAGES[0])


def admin_gettext(request: Request) -> Callable[[str], str]:
    """``_ = admin_gettext(request)``: the translation function of this admin page's language."""
    return i18n.translator(admin_lang(request)).gettext


def safe_next(target: str | None, default: str = "/admin/") -> str:
    """Only local admin addresses are followed after sign-in (no open redirect)."""
    if not target or not target.startswith("/admin") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def pdf_download(body: bytes, filename: str) -> Response:
    """A PDF document as a download named ``filename``."""
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
