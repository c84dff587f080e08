"""The register's e-mail type validates as pydantic's ``EmailStr`` does, with or without the
plain-address path that skips email_validator."""

from __future__ import annotations

from typing import Any

import email_validator
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import EmailStr, TypeAdapter, ValidationError

from steward.register.email_address import SPECIAL_USE_TLDS, is_plain_email
from steward.register.models import Email

EMAIL = TypeAdapter(Email)
EMAIL_STR = TypeAdapter(EmailStr)

# near-plain addresses: the edges of the plain path (case, dots, hyphens, digits, lengths)
nearly_plain = st.from_regex(
    r"\A[a-zA-Z0-9._+\-]{0,70}@[a-zA-Z0-9.\-]{0,70}\.(?:[a-z0-9\-]{1,8}|test|local|xn--p1ai)\Z"
)
long_plain = st.builds(
    lambda local, labels: f"{local}@{'.'.join(labels)}.com",
    st.text("ab", min_size=1, max_size=80),
    st.lists(st.text("a-", min_size=1, max_size=70), min_size=1, max_size=5),
)
anything = st.one_of(nearly_plain, long_plain, st.emails(), st.text(max_size=40))


def _outcome(adapter: TypeAdapter[Any], value: object) -> object:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        return [(e["type"], e["msg"], e["loc"]) for e in exc.errors()]


@given(anything)
@example("privacy@polar-tea.example")
@example("Privacy@polar-tea.example")
@example("postmaster@Example.com")
@example("a@xn--p1ai.xn--p1ai")
@example("a@b.test")
@example("a..b@c.com")
@example("a@b--c.com")
@example("a@-b.com")
@example("a@b-.com")
@example("Anna <anna@shop.example>")
@example(" anna@shop.example ")
def test_the_register_email_validates_as_email_str(value: str) -> None:
    assert _outcome(EMAIL, value) == _outcome(EMAIL_STR, value)


@given(anything)
def test_a_plain_address_is_one_email_validator_returns_unchanged(value: str) -> None:
    if is_plain_email(value):
        checked = email_validator.validate_email(value, check_deliverability=False)
        assert checked.normalized == value


def test_special_use_domains_are_email_validators_own() -> None:
    assert set(email_validator.SPECIAL_USE_DOMAIN_NAMES) == SPECIAL_USE_TLDS
    for name in SPECIAL_USE_TLDS:
        assert not is_plain_email(f"privacy@shop.{name}")


def test_not_a_string_is_refused_as_email_str_refuses_it() -> None:
    for value in (None, 42, b"anna@shop.example", ["anna@shop.example"]):
        assert _outcome(EMAIL, value) == _outcome(EMAIL_STR, value)
