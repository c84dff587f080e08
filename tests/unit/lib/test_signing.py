"""One token signer: a token is valid only for its purpose, its secret and its age."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.lib.signing import Signer, TokenExpired, TokenInvalid

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@given(value=JSON, purpose=st.text(min_size=1, max_size=30))
def test_a_token_gives_back_what_was_signed(value: object, purpose: str) -> None:
    assert Signer("s" * 32, purpose).loads(Signer("s" * 32, purpose).dumps(value), max_age=60) == (
        value
    )


@given(value=JSON, one=st.text(min_size=1, max_size=30), other=st.text(min_size=1, max_size=30))
def test_a_token_for_one_purpose_is_refused_for_another(value: object, one: str, other: str):
    if one == other:
        return
    token = Signer("s" * 32, one).dumps(value)
    with pytest.raises(TokenInvalid):
        Signer("s" * 32, other).loads(token, max_age=60)
    with pytest.raises(TokenInvalid):
        Signer("t" * 32, one).loads(token, max_age=60)


def test_an_old_token_is_expired_and_a_damaged_one_invalid() -> None:
    signer = Signer("s" * 32, "test")
    token = signer.dumps([1, "n"])
    time.sleep(1.1)
    with pytest.raises(TokenExpired):
        signer.loads(token, max_age=0)
    with pytest.raises(TokenInvalid):
        signer.loads(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), max_age=60)
    with pytest.raises(TokenInvalid):
        signer.loads("not a token", max_age=60)


@given(st.text(max_size=200), st.text(min_size=1, max_size=40))
def test_an_encrypted_text_opens_only_under_its_own_key(plaintext: str, label: str) -> None:
    from steward.lib.signing import decrypt, derive, encrypt

    key, other = derive("master secret", label), derive("master secret", label + "x")
    box = encrypt(key, plaintext)
    assert decrypt(key, box) == plaintext
    assert plaintext not in box[3:] or len(plaintext) < 4  # base64 of ciphertext, not the text
    assert encrypt(key, plaintext) != box  # a fresh nonce every time
    with pytest.raises(TokenInvalid):
        decrypt(other, box)
    middle = len(box) // 2  # a character whose every bit counts (not base64's padding)
    damaged = box[:middle] + ("A" if box[middle] != "A" else "B") + box[middle + 1 :]
    with pytest.raises(TokenInvalid):
        decrypt(key, damaged)
    with pytest.raises(TokenInvalid):
        decrypt(key, plaintext)  # never encrypted


def test_an_identifier_digest_is_the_one_stored_format() -> None:
    """The consent ledger, the restriction list, the disclosure log and the outbox store this;
    a change of format would orphan every stored digest (a known answer, not a round trip)."""
    from steward.lib.signing import identifier_digest

    assert identifier_digest(bytes(range(32)), "email", "anna@example.com") == (
        "5d0487fffe1583a6b569817c8f4773a6510f275ed6587ba5ffaaa9a476ed5ed2"
    )
