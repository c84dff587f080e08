"""ISO 3166-1 countries as pycountry knows them: whether a code is one, and its name.

    is_country_code("RU")       -> True
    country_name("DE", "ru")    -> "Германия"

The countries come from pycountry's own database file, and the translations from its gettext
catalogues, read without importing pycountry: its ``__init__`` looks up its version through
``importlib.metadata``, which was about 30 ms of every ``steward check`` and ``steward
notice`` (every register names a country). Where the files are not where pycountry keeps
them, pycountry itself answers. Tests keep the two equal.
"""

from __future__ import annotations

import gettext
import importlib.util
import json
import os
from functools import cache
from typing import NamedTuple


class _Country(NamedTuple):
    name: str  # ISO's short name, the id of pycountry's translations
    common_name: str | None  # "Bolivia" where ISO says "Bolivia, Plurinational State of"


@cache
def _pycountry_folder() -> str | None:
    spec = importlib.util.find_spec("pycountry")  # finds the package without importing it
    for folder in list(spec.submodule_search_locations or ()) if spec else []:
        if os.path.isfile(os.path.join(folder, "databases", "iso3166-1.json")):
            return str(folder)
    return None


@cache
def _countries() -> dict[str, _Country]:
    """By lower-cased alpha-2 code (pycountry compares codes lower-cased)."""
    folder = _pycountry_folder()
    if folder is not None:
        try:
            path = os.path.join(folder, "databases", "iso3166-1.json")
            with open(path, encoding="utf-8") as f:
                entries = json.load(f)["3166-1"]
            return {
                str(e["alpha_2"]).lower(): _Country(str(e["name"]), e.get("common_name"))
                for e in entries
            }
        except (OSError, ValueError, KeyError, TypeError):
            pass
    import pycountry

    return {
        c.alpha_2.lower(): _Country(c.name, getattr(c, "common_name", None))
        for c in pycountry.countries
    }


@cache
def _translation(lang: str) -> gettext.NullTranslations:
    folder = _pycountry_folder()
    if folder is not None:
        locales = os.path.join(folder, "locales")
    else:
        import pycountry

        locales = pycountry.LOCALES_DIR
    return gettext.translation("iso3166-1", locales, languages=[lang], fallback=True)


def is_country_code(code: str) -> bool:
    """``pycountry.countries.get(alpha_2=code) is not None``."""
    return code.lower() in _countries()


def country_name(code: str, lang: str) -> str:
    """The country's name in ``lang``: in English its common name ("Bolivia"), in another
    language pycountry's translation of ISO's name; the code itself for an unknown code."""
    country = _countries().get(code.lower())
    if country is None:
        return code
    if lang == "en":
        return country.common_name or country.name
    return _translation(lang).gettext(country.name)
