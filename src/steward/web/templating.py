"""The one Jinja2 environment: every page template lives under ``web/templates``.

    from steward.web.templating import templates
    return templates.TemplateResponse(request, "requests/list.html", {"items": items})

Globals every template can call: ``csrf_field()`` (inside each POST form), ``principal()``
(the signed-in person or None), ``nav()`` (the admin sections this principal may open),
``page_lang()`` (the page's language).

Text goes through the catalogue (``lib/i18n.py``): ``{{ _("Sign out") }}``,
``{{ _("Tries left: %(n)s", n=left) }}``, ``{{ ngettext("%(num)s row", "%(num)s rows", n) }}``,
``{{ pgettext("button", "Unsubscribe") }}`` (one English word, two translations).
The language is the context's ``lang`` when the page passes one (public pages pick it with
``pages/common.pick_lang``), else the admin's (``pages/common.admin_lang``). Filters:
``when`` (date and time), ``day`` (date), ``number``, ``duration`` (an interval in words),
each in the page's language.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from steward.accounts.tables import ROLE_NAMES
from steward.breaches.service import RISKS
from steward.ledger.actions import action_label
from steward.lib import i18n
from steward.requests.states import STATE_NAMES
from steward.web.code_labels import code_label

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.add_extension("jinja2.ext.i18n")


def lang_of_context(context: Any) -> str:
    lang = context.get("lang")
    if lang in i18n.LANGUAGES:
        return str(lang)
    request = context.get("request")
    if request is None:
        return i18n.LANGUAGES[0]
    from steward.web.pages.common import admin_lang

    return admin_lang(request)


@pass_context
def _gettext(context: Any, message: str) -> str:
    return i18n.translator(lang_of_context(context)).gettext(message)


@pass_context
def _ngettext(context: Any, singular: str, plural: str, n: int) -> str:
    return i18n.translator(lang_of_context(context)).ngettext(singular, plural, n)


@pass_context
def _pgettext(context: Any, where: str, message: str) -> str:
    return i18n.translator(lang_of_context(context)).pgettext(where, message)


@pass_context
def _page_lang(context: Any) -> str:
    return lang_of_context(context)


def _time(value: Any, shown: str) -> Markup:
    """A ``<time>`` element: the reader's format shown, the ISO form for machines."""
    if value is None:
        return Markup("")
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), shown)


@pass_context
def _when(context: Any, value: Any) -> Markup:
    return _time(value, i18n.format_datetime(value, lang_of_context(context)))


@pass_context
def _day(context: Any, value: Any) -> Markup:
    return _time(value, i18n.format_date(value, lang_of_context(context)))


@pass_context
def _csrf_field(context: Any) -> Markup:
    from steward.web.auth import csrf_field

    return csrf_field(context["request"])


@pass_context
def _principal(context: Any) -> Any:
    return context["request"].scope.get("state", {}).get("principal")


@pass_context
def _nav(context: Any) -> list[Any]:
    from steward.web.nav import visible_sections

    request = context["request"]
    return visible_sections(request.scope.get("state", {}).get("principal"), request.url.path)


templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    _gettext, _ngettext, newstyle=True, pgettext=_pgettext
)
templates.env.globals.update(
    csrf_field=_csrf_field,
    principal=_principal,
    nav=_nav,
    page_lang=_page_lang,
    role_names=ROLE_NAMES,
    state_names=STATE_NAMES,
    risk_names=RISKS,
)


def _in_reader_lang(say: Callable[..., str]) -> Callable[..., str]:
    """A filter that says ``value`` in the page's language: ``say(value, *args, lang)``."""

    @pass_context
    def apply(context: Any, value: Any, *args: Any) -> str:
        return say(value, *args, lang_of_context(context))

    return apply


@pass_context
def _said(context: Any, value: Any, message: str | None = None) -> str:
    """Steward's own text in the reader's language: a ``Phrase`` (``{{ run.phrase() | said }}``),
    or a record's line as stored with its phrase (``{{ e.note | said(e.message) }}``: the
    phrase when Steward wrote one, else the text as stored)."""
    lang = lang_of_context(context)
    if isinstance(value, i18n.Phrase):
        return value.say(lang)
    return i18n.recorded(message, value or "", lang)


templates.env.filters.update(
    when=_when,
    day=_day,
    number=_in_reader_lang(i18n.format_number),
    duration=_in_reader_lang(i18n.format_duration),
    said=_said,
    # an audit action code's label, the code when it has none: ("request." ~ e.action) | action
    action=_in_reader_lang(action_label),
    # a stored code's word (web/code_labels.py): i.status | label("incident status")
    label=_in_reader_lang(code_label),
)
