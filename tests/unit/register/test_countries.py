"""Country codes and names answer as pycountry does, without importing it."""

from __future__ import annotations

import subprocess
import sys

import pycountry
from hypothesis import example, given
from hypothesis import strategies as st

from steward.register.countries import _countries, country_name, is_country_code


def test_the_codes_are_pycountrys() -> None:
    assert set(_countries()) == {country.alpha_2.lower() for country in pycountry.countries}
    assert len(_countries()) > 240


def _pycountry_name(code: str, lang: str) -> str:
    """How notices named a country when they imported pycountry."""
    import gettext

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    if lang == "en":
        return getattr(country, "common_name", None) or country.name
    translation = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True
    )
    return translation.gettext(country.name)


@given(
    st.sampled_from([c.alpha_2 for c in pycountry.countries]) | st.text(max_size=3),
    st.sampled_from(["en", "ru", "de", "xx"]),
)
@example("BO", "en")  # a common name: "Bolivia"
@example("DE", "ru")
def test_a_name_is_pycountrys(code: str, lang: str) -> None:
    assert country_name(code, lang) == _pycountry_name(code, lang)


@given(st.text(max_size=3) | st.sampled_from([c.alpha_2 for c in pycountry.countries]))
@example("\u212ae")  # KELVIN SIGN lower-cases to "k": pycountry finds Kenya, and so do we
@example("ru")
@example("RUS")
def test_a_code_is_a_country_exactly_when_pycountry_knows_it(code: str) -> None:
    assert is_country_code(code) == (pycountry.countries.get(alpha_2=code) is not None)


def test_pycountry_answers_where_its_database_file_is_not_found() -> None:
    probe = (
        "import importlib.util, sys\n"
        "real = importlib.util.find_spec\n"
        "def find_spec(name, *args):\n"
        "    return None if name == 'pycountry' else real(name, *args)\n"
        "importlib.util.find_spec = find_spec\n"
        "from steward.register.countries import country_name, is_country_code\n"
        "print(is_country_code('RU'), is_country_code('XX'), country_name('DE', 'ru'),\n"
        "      'pycountry' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False", "Германия", "True"]
