"""``normalise_email`` answers an ASCII address without running the validator: the same answer.

The search normalises every e-mail it reads back from the operator's database; validating each
one cost about a tenth of an access request's Python time. The shortcut must never change what
the one normaliser returns.
"""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from steward.lib import identifiers
from steward.lib.identifiers import clean_email, normalise_email

ATOM = string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~."
LABEL = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=12)


def _validated(text: str) -> str:
    text = text.strip()
    return identifiers._validated_email(text[:320]) or text.lower()


@settings(max_examples=400, deadline=None)
@given(
    local=st.text(ATOM, min_size=1, max_size=20),
    labels=st.lists(LABEL, min_size=1, max_size=3),
    pad=st.sampled_from(["", " ", "\t"]),
)
def test_the_shortcut_gives_the_validators_answer_for_address_like_text(
    local: str, labels: list[str], pad: str
) -> None:
    text = f"{pad}{local}@{'.'.join(labels)}{pad}"
    assert normalise_email(text) == _validated(text)


@settings(max_examples=400, deadline=None)
@given(st.text(string.printable, max_size=40))
def test_the_shortcut_gives_the_validators_answer_for_any_ascii_text(text: str) -> None:
    if text.strip():
        assert normalise_email(text) == _validated(text)


def test_non_ascii_and_quoted_addresses_still_go_through_the_validator() -> None:
    assert normalise_email("Анна@Пример.рф") == _validated("Анна@Пример.рф")
    assert normalise_email('"john"@example.com') == _validated('"john"@example.com')
    assert normalise_email("Customer7@Example.COM") == "customer7@example.com"


def test_a_punycode_domain_is_one_value_with_its_unicode_form() -> None:
    # the validator writes an IDNA domain in Unicode; the ASCII shortcut must not keep punycode
    # (found by tests/integration/lib/test_one_identifier_everywhere.py)
    assert normalise_email("0@A.XN--11B4C3D") == clean_email("0@a.xn--11b4c3d") == "0@a.कॉम"
