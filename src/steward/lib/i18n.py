"""Translations: one gettext catalogue per language (``steward/locale/<lang>/LC_MESSAGES``).

    t = translator("ru")
    t.gettext("Dashboard")                              # "Обзор"
    t.ngettext("{n} request", "{n} requests", 5).format(n=5)
    negotiate("ru-RU,ru;q=0.9,en;q=0.8", ("en", "ru"))  # "ru"
    format_datetime(when, "ru"), format_number(1234567, "ru")

The message ids are the English text; ``en`` has an empty catalogue apart from its plural rule.
Plural rules come from CLDR through Babel (``Locale.plural_form``), never typed by hand.

The ``.po`` files are the source. Each is compiled on first use in this process (Babel's
``read_po`` then ``write_mo`` into memory), so a fresh clone works without a build step; the
compiled ``.mo`` beside it is used instead when it is newer (``make i18n`` writes it).

Mark a string for extraction without translating it yet (a module-level label) with ``N_``;
translate it where the reader's language is known. ``make i18n`` extracts every marked string
from ``src/steward`` (``babel.cfg``: Python and the Jinja templates) and updates the ``.po`` files.
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
LANGUAGES: tuple[str, ...] = ("en", "ru")
"""Every language Steward's own text is written in; the first is the fallback."""


def N_(message: str) -> str:
    """Mark ``message`` for extraction; translate it later with ``translator(lang).gettext``."""
    return message


def NC_(context: str, message: str) -> str:
    """``N_`` with a context: the same English in two vocabularies may need two translations."""
    return message


class Vocabulary(Mapping[str, dict[Any, str]]):
    """One vocabulary's labels: English in the source (``NC_(context, ...)``), each other
    language from the catalogue. ``BASIS["ru"][LegalBasis.CONSENT]``; iterating gives the
    languages, as the per-language dicts it replaces did."""

    def __init__(self, context: str, english: dict[Any, str]) -> None:
        self.context, self.english = context, english

    def __getitem__(self, lang: str) -> dict[Any, str]:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        t = translator(lang)

        def say(text: Any) -> Any:
            if isinstance(text, tuple):  # a label and its description
                return tuple(t.pgettext(self.context, part) for part in text)
            return t.pgettext(self.context, text)

        return {key: say(text) for key, text in self.english.items()}

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The catalogue of ``lang`` (a code of ``LANGUAGES``); an unknown code gets English."""
    po = _po(lang)
    if lang not in LANGUAGES or not po.exists():
        return gettext.NullTranslations()
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    return gettext.GNUTranslations(BytesIO(compile_po(po)))


def _po(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of ``po`` (fuzzy entries are left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    out = BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


class Told(Exception):
    """An error whose message a person reads: English text (marked with ``N_``, placeholders
    ``%(name)s``) and its values, translated where the reader's language is known (``told``).
    ``str(exc)`` is the English, for logs and the CLI."""

    def __init__(self, text: str = "", /, **params: Any) -> None:
        self.text, self.params = text, params
        super().__init__(text % params if params else text)


def told(exc: BaseException, lang: str) -> str:
    """``exc``'s message in ``lang``: the catalogue's translation of a ``Told`` error's text with
    its values; any other error (or a text the catalogue lacks) as it was raised."""
    if not isinstance(exc, Told):
        return str(exc)
    return say(exc.text, lang, exc.params)


def say(text: str, lang: str, params: Mapping[str, Any] | None = None) -> str:
    """``text`` (an English message id) in ``lang``, with ``params`` put in (``%(name)s``)."""
    translated = translator(lang).gettext(text) if text else text
    if not params:
        return translated
    return fill(translated, text, params)


def fill(translated: str, english: str, params: Mapping[str, Any]) -> str:
    """``translated`` with ``params`` put in; ``english`` with them when the translation's
    placeholders are wrong (logged), so a bad catalogue entry never breaks an answer."""
    try:
        return translated % dict(params)
    except (KeyError, ValueError, TypeError):  # a translation whose placeholders are wrong
        logging.getLogger("steward.i18n").warning("translation of %r does not format", english)
        return english % dict(params)


class Phrase:
    """Text Steward writes for the record (a request's timeline): its English message id
    (marked with ``N_``) and values, kept apart so that each reader gets it in their language.

        p = Phrase(N_("run %(run)s"), run=7)
        p.say("ru"), str(p)                                  # "запуск 7", "run 7"
        Phrase.ngettext("%(num)s reminder", "%(num)s reminders", 2)
        Phrase.join(p, ": ", Phrase.of(error))                # parts in a row
        Phrase.join(*counts, sep=", ")
        Phrase.load(p.dump()) == p

    A value may itself be a ``Phrase`` (said in the same language) or a register's text in
    each language (``{"en": ..., "ru": ...}``, said with ``localized``); any other value (a
    reference, a count, an agent's text, a driver's error) is put in as it is. ``dump`` is
    JSON-ready: ``{"t": text, "v": values}`` (with ``"pl"``, the plural, counted by ``"num"``;
    a register's text as ``{"l": {...}}``), a joined row as a list of parts."""

    __slots__ = ("params", "parts", "plural", "text")

    def __init__(
        self,
        text: str = "",
        /,
        *,
        plural: str | None = None,
        parts: Sequence[Phrase | str] | None = None,
        **params: Any,
    ) -> None:
        self.text, self.params, self.plural = text, params, plural
        self.parts = tuple(parts) if parts is not None else None

    @classmethod
    def ngettext(cls, singular: str, plural: str, num: int, /, **params: Any) -> Phrase:
        """A phrase with plural forms, chosen by ``num`` (its ``%(num)s``)."""
        return cls(singular, plural=plural, num=num, **params)

    @classmethod
    def join(cls, *parts: Phrase | str, sep: str = "") -> Phrase:
        """``parts`` said one after the other, ``sep`` between them (empty strings dropped)."""
        kept = [p for p in parts if not (isinstance(p, str) and not p)]
        row: list[Phrase | str] = []
        for part in kept:
            if row and sep:
                row.append(sep)
            row.append(part)
        return cls(parts=row)

    @classmethod
    def of(cls, exc: BaseException) -> Phrase | str:
        """A ``Told`` error's text and values as a phrase; any other error's message as it is."""
        return cls(exc.text, **exc.params) if isinstance(exc, Told) else str(exc)

    def say(self, lang: str) -> str:
        if self.parts is not None:
            return "".join(p.say(lang) if isinstance(p, Phrase) else p for p in self.parts)
        values = {k: _value(v, lang) for k, v in self.params.items()}
        if self.plural is None:
            return say(self.text, lang, values)
        n = int(self.params.get("num", 0))
        return fill(translator(lang).ngettext(self.text, self.plural, n), self.text, values)

    def __str__(self) -> str:
        return self.say(LANGUAGES[0])

    def __repr__(self) -> str:
        return f"Phrase({self.dump()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and self.dump() == other.dump()

    def __hash__(self) -> int:
        return hash(repr(self))

    def dump(self) -> Any:
        if self.parts is not None:
            return [p.dump() if isinstance(p, Phrase) else p for p in self.parts]
        data: dict[str, Any] = {"t": self.text}
        if self.params:
            data["v"] = {k: _dumped(v) for k, v in self.params.items()}
        if self.plural is not None:
            data["pl"] = self.plural
        return data

    @classmethod
    def load(cls, data: Any) -> Phrase:
        """The phrase ``dump`` gave (stored JSON, parsed)."""
        if isinstance(data, list):
            return cls(parts=[p if isinstance(p, str) else cls.load(p) for p in data])
        values: dict[str, Any] = {
            k: dict(v["l"])
            if isinstance(v, dict) and "l" in v
            else cls.load(v)
            if isinstance(v, dict | list)
            else v
            for k, v in dict(data.get("v") or {}).items()
        }
        return cls(str(data.get("t", "")), plural=data.get("pl"), **values)


def _value(value: Any, lang: str) -> Any:
    """A phrase's value said in ``lang``: a phrase, a register's text in each language."""
    if isinstance(value, Phrase):
        return value.say(lang)
    if isinstance(value, Mapping):
        return localized(value, lang)
    return value


def _dumped(value: Any) -> Any:
    if isinstance(value, Phrase):
        return value.dump()
    if isinstance(value, Mapping):
        return {"l": dict(value)}
    return value


def phrase_json(text: str | Phrase) -> str | None:
    """What a record keeps beside a line's English (``recorded`` reads it back): the JSON of
    its phrase when Steward wrote it, None for a person's text."""
    if not isinstance(text, Phrase):
        return None
    import json

    return json.dumps(text.dump(), ensure_ascii=False)


def recorded(message: str | None, stored: str, lang: str) -> str:
    """A record's line in ``lang``: its phrase (``message``, JSON of ``Phrase.dump``) when
    Steward wrote one, else the text as stored (typed by a person, or written before phrases
    were kept)."""
    if not message:
        return stored
    import json

    try:
        return Phrase.load(json.loads(message)).say(lang)
    except (ValueError, TypeError, AttributeError):  # a row no phrase can be read from
        return stored


def words(english: dict[str, str], lang: str) -> dict[str, str]:
    """A page's phrase book in ``lang``: each value of ``english`` (marked with ``N_``)
    translated, keyed as before (templates read ``w.title``)."""
    t = translator(lang)
    return {key: t.gettext(text) for key, text in english.items()}


def negotiate(accept_language: str, offered: Sequence[str], default: str | None = None) -> str:
    """The best of ``offered`` for an ``Accept-Language`` header, by its q-values (the first
    listed wins a tie); ``default`` (else ``offered[0]``) when none matches."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language[:1000].split(",")[:30]):
        code, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = code.strip().split("-")[0].lower()
        if primary and q > 0:
            wanted.append((-q, position, primary))
    for _q, _position, primary in sorted(wanted):
        if primary in offered:
            return primary
    return default if default is not None else offered[0]


def localized(names: Mapping[str, str], lang: str) -> str:
    """A register's localised name (``{en: ..., ru: ...}``) in ``lang``, else English, else
    the first given."""
    return names.get(lang) or names.get("en") or next(iter(names.values()))


def pick(
    candidates: Iterable[str | None],
    accept_language: str,
    offered: Sequence[str],
    default: str | None = None,
) -> str:
    """The first of ``candidates`` (an explicit choice: a form field, ``?lang=``, a stored
    preference) that is ``offered``, else the browser's best, else ``default``/``offered[0]``."""
    for wanted in candidates:
        if wanted in offered:
            return str(wanted)
    return negotiate(accept_language, offered, default)


def language_name(lang: str) -> str:
    """A language's name in itself ("English", "Русский"), from CLDR."""
    from babel import Locale

    name: str = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def format_datetime(value: datetime | None, lang: str) -> str:
    """``value`` as the reader's language writes a date, then the 24-hour time as stored (UTC):
    "Dec 2, 2026, 14:05" / "2 дек. 2026 г., 14:05"."""
    if value is None:
        return ""
    from babel.dates import format_time

    time = format_time(value, "HH:mm", tzinfo=value.tzinfo, locale=_babel_locale(lang))
    return f"{format_date(value, lang)}, {time}"


def format_date(value: date | datetime | None, lang: str, format: str = "medium") -> str:
    if value is None:
        return ""
    from babel.dates import format_date as babel_format

    return str(babel_format(value, format=format, locale=_babel_locale(lang)))


def format_duration(value: timedelta, lang: str) -> str:
    """An interval in words, rounded to its largest unit ("5 minutes", "1 неделя")."""
    from babel.dates import format_timedelta

    return str(format_timedelta(value, threshold=1, locale=_babel_locale(lang)))


def format_number(value: float | int | None, lang: str) -> str:
    """``value`` with the reader's digit grouping and decimal sign (1,234.5 / 1 234,5)."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=_babel_locale(lang)))


def _babel_locale(lang: str) -> str:
    return lang if lang in LANGUAGES else LANGUAGES[0]
