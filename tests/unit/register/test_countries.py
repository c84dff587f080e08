"""The register's country check answers as pycountry does, without importing it."""

from __future__ import annotations

import subprocess
import sys

import pycountry
from hypothesis import example, given
from hypothesis import strategies as st

from steward.register.countries import _codes, is_country_code


def test_the_codes_are_pycountrys() -> None:
    assert _codes() == {country.alpha_2.lower() for country in pycountry.countries}
    assert len(_codes()) > 240


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
        "from steward.register.countries import is_country_code\n"
        "print(is_country_code('RU'), is_country_code('XX'), 'pycountry' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False", "True"]
