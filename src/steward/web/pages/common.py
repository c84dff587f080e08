"""Small helpers shared by the admin page routers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

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


def pick_lang(request: Request, known: Iterable[str], given: str | None = None) -> str:
    """A public page's language: ``given`` (a form field), else ``?lang=``, else the browser's
    first language when ``known``, else English."""
    known = set(known)
    for wanted in (given, request.query_params.get("lang")):
        if wanted in known:
            return str(wanted)
    accept = request.headers.get("accept-language", "")[:2].lower()
    return accept if accept in known else "en"


def safe_next(target: str | None, default: str = "/admin/") -> str:
    """Only local admin addresses are followed after sign-in (no open redirect)."""
    if not target or not target.startswith("/admin") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
