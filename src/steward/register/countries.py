"""Whether a code is an ISO 3166-1 alpha-2 country code, as pycountry answers it.

    is_country_code("RU")  -> True

The codes come from pycountry's own database file, read without importing pycountry: its
``__init__`` looks up its version through ``importlib.metadata``, which was about 30 ms of
every ``steward check`` (every register names a country). Where the file is not where
pycountry keeps it, pycountry itself answers. A test keeps the two equal.
"""

from __future__ import annotations

import importlib.util
import json
import os
from functools import cache


@cache
def _codes() -> frozenset[str]:
    spec = importlib.util.find_spec("pycountry")  # finds the package without importing it
    folders = list(spec.submodule_search_locations or ()) if spec else []
    for folder in folders:
        try:
            with open(os.path.join(folder, "databases", "iso3166-1.json"), encoding="utf-8") as f:
                entries = json.load(f)["3166-1"]
            return frozenset(str(entry["alpha_2"]).lower() for entry in entries)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    import pycountry

    return frozenset(country.alpha_2.lower() for country in pycountry.countries)


def is_country_code(code: str) -> bool:
    """``pycountry.countries.get(alpha_2=code) is not None`` (pycountry compares lower-cased)."""
    return code.lower() in _codes()
