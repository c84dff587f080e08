"""Column classification: two kinds of evidence apart, corroboration, sparse identifiers."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from steward.discovery.columns import MAX_CELL, classify_column
from steward.discovery.scanner import Scanner

from .strategies import card, snils_number

SCANNER = Scanner(("RU", "US"))
WORDS = ["paid", "new", "shipped", "n/a", "pending", "ok", "-", "returned"]


def _noise(rng: random.Random, n: int) -> list[object]:
    return [rng.choice(WORDS) for _ in range(n)]


@settings(max_examples=40, deadline=None)
@given(card(), st.integers(0, 2**32))
def test_one_stray_card_does_not_tag_a_column_but_is_reported_to_review(number, seed) -> None:
    rng = random.Random(seed)
    values = _noise(rng, 49)
    values.insert(rng.randrange(50), number)
    result = classify_column("remarks", values, SCANNER)
    assert "financial.card" not in result.categories
    assert result.sparse == {"financial.card": 1}


@settings(max_examples=40, deadline=None)
@given(st.lists(card(), min_size=2, max_size=40, unique=True))
def test_distinct_valid_cards_tag_a_column_by_content_whatever_its_name(numbers) -> None:
    result = classify_column("col_17", numbers, SCANNER)
    assert result.categories == {"financial.card": "content"}
    assert result.content["card"][1] == len(numbers)


def test_the_same_card_repeated_is_one_value_not_corroboration() -> None:
    result = classify_column("x", ["4111111111111111"] * 30, SCANNER)
    assert "financial.card" not in result.categories
    assert result.sparse == {"financial.card": 1}


@settings(max_examples=30, deadline=None)
@given(snils_number(), st.integers(0, 2**32))
def test_one_printed_snils_in_fifty_rows_surfaces_as_sparse(number, seed) -> None:
    rng = random.Random(seed)
    values: list[object] = [None if rng.random() < 0.5 else rng.choice(WORDS) for _ in range(49)]
    values.insert(rng.randrange(50), f"{number[:3]}-{number[3:6]}-{number[6:9]} {number[9:]}")
    result = classify_column("extra", values, SCANNER)
    assert result.sparse == {"identity.insurance_number": 1}
    assert result.categories == {}


def test_name_and_content_are_kept_apart() -> None:
    phones = ["+7 912 345-67-89", "+7 903 111-22-33", "+1 212-555-0148"]
    named = classify_column("phone", phones, SCANNER)
    unnamed = classify_column("c3", phones, SCANNER)
    by_name_only = classify_column("full_name", ["Anna", "Boris"], SCANNER)
    refuted = classify_column("phone", ["none", "n/a", "later"], SCANNER)
    assert named.categories == {"contact.phone": "name+content"}
    assert unnamed.categories == {"contact.phone": "content"}
    assert by_name_only.categories == {"identity.name": "name"}
    assert refuted.categories == {}  # the name promised phones; the values are none


def test_bare_passport_numbers_need_the_columns_name() -> None:
    values = ["4510 123456", "4612 654321", "7701 000123", "4005 765432"]
    assert classify_column("passport", values, SCANNER).categories == {
        "identity.document": "name+content"
    }
    assert "identity.document" not in classify_column("ref", values, SCANNER).categories


def test_free_text_is_scanned_as_text() -> None:
    tickets = [
        "Hello, I cannot log in since yesterday, please help me with my account.",
        "My card 4111 1111 1111 1111 was charged twice for the same subscription.",
        "Thanks for the quick answer, everything works now, have a nice day.",
    ]
    result = classify_column("body", tickets, SCANNER)
    assert result.mode == "text"
    assert result.in_text == {"financial.card": 1}


def test_binary_values_and_huge_cells_are_skipped_or_truncated_with_a_note() -> None:
    binary = classify_column("blob", [b"\x89PNG\r\n\x1a\n\x00\x00", bytes(range(256))], SCANNER)
    assert binary.mode == "skipped" and binary.notes == ["binary values skipped"]
    huge = "x " * MAX_CELL + " card 4111 1111 1111 1111"  # the card lies past the cut
    result = classify_column("notes", [huge, "short text here, nothing in it at all"], SCANNER)
    assert result.notes == [f"values cut at {MAX_CELL} characters"]
    assert result.in_text == {}
    utf8_bytes = classify_column("email", [b"anna@example.com", b"boris@example.org"], SCANNER)
    assert utf8_bytes.categories == {"contact.email": "name+content"}


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32))
def test_random_long_identifiers_passing_luhn_by_chance_are_not_cards(seed) -> None:
    """Cookie ids and order numbers of 16-19 digits pass Luhn one time in ten."""
    rng = random.Random(seed)
    values = [
        "".join(rng.choice("0123456789") for _ in range(rng.randint(16, 19))) for _ in range(120)
    ]
    result = classify_column("client_id", values, SCANNER)
    assert "financial.card" not in result.categories
    assert "financial.card" not in result.sparse
