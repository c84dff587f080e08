"""The optional names tier: Russian person names and postal addresses, natasha's model for real."""

from __future__ import annotations

import random
import sys

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.discovery import names as tier_module
from steward.discovery.columns import classify_column
from steward.discovery.names import (
    ADDRESS,
    MISSING,
    NamesTier,
    NamesTierMissing,
    _first_names,
    is_person_name,
    names_tier,
)
from steward.discovery.scanner import Scanner

SCANNER = Scanner(("RU", "US"))


@pytest.fixture(scope="module")
def tier() -> NamesTier:
    return names_tier()


def _faker(seed: int) -> Faker:
    fake = Faker("ru_RU")
    fake.seed_instance(seed)
    return fake


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32))
def test_a_first_name_with_a_surname_or_a_patronymic_passes_the_rule(seed) -> None:
    fake = _faker(seed)
    first = fake.first_name_male() if seed % 2 else fake.first_name_female()
    middle = fake.middle_name_male() if seed % 2 else fake.middle_name_female()
    assert is_person_name(f"{first} {middle}")  # the patronymic alone decides
    assert is_person_name(f"{fake.last_name()} {first} {middle}")


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(_first_names())),
    st.text("абвгдежзиклмнопрстуфхцчшщэюя", min_size=1, max_size=12),
)
def test_one_word_a_latin_word_or_a_lower_case_word_is_never_a_name(first, word) -> None:
    capital = first[:1].upper() + first[1:]
    assert not is_person_name(capital)  # one word: a surname, or a word the model mistook
    assert not is_person_name(f"{capital} Smith")
    assert not is_person_name(f"{capital} {word}")  # not capitalised
    assert not is_person_name(f"{first} {word.capitalize()}")


def test_surnames_made_of_first_names_are_not_taken_for_them() -> None:
    # "Захаров" is no case of "Захар": Faker's Russian companies ("Захаров Инк") are not names
    assert not is_person_name("Захаров Инк")
    assert not is_person_name("Иванов Лимитед")
    assert is_person_name("Марии Ивановой")  # a first name in the genitive
    assert is_person_name("Андрею Петрову")
    assert is_person_name("Анной Сергеевной")


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32))
def test_a_russian_postal_address_is_matched_in_its_street_part(seed) -> None:
    fake = _faker(seed)
    address = fake.address()  # "с. Шали, пр. Войкова, д. 8/3 стр. 2, 273464"
    found = ADDRESS.search(address)
    assert found is not None, address
    assert found.group() in address and "д. " in found.group()


@pytest.mark.parametrize(
    "text",
    [
        "ул. 1-я Тверская-Ямская, д. 5",
        "пр. О.Кошевого, д. 60",
        "ул. 9 мая, дом 2",
        "набережной Марта 8, д. 25/3",
    ],
)
def test_street_names_of_numbers_initials_and_hyphens(text: str) -> None:
    found = ADDRESS.search(f"Пишите: {text}, кв. 4")
    assert found is not None and found.group() == text


@pytest.mark.parametrize(
    "text",
    [
        "Заказ 12, д. 5",  # no street type
        "ул. Ленина",  # no house number
        "Москва, 5 дней",
        "version 1.2, build 5",
    ],
)
def test_what_is_not_an_address(text: str) -> None:
    assert ADDRESS.search(text) is None


def test_the_model_finds_names_and_an_address_in_a_russian_message(tier: NamesTier) -> None:
    text = (
        "Здравствуйте! Меня зовут Иван Петрович Сидоров, живу по адресу г. Тверь, ул. Советская, "
        "д. 12, кв. 4. Доверенность на Марию Иванову прилагаю."
    )
    hits = tier.find(text)
    assert [(h.kind, h.value) for h in hits] == [
        ("person_name", "Иван Петрович Сидоров"),
        ("postal_address", "ул. Советская, д. 12"),
        ("person_name", "Марию Иванову"),
    ]
    assert all(text[h.start : h.end] == h.value for h in hits)


def test_text_without_cyrillic_is_not_sent_to_the_model(tier: NamesTier) -> None:
    assert tier.find_many(["John Smith, 1 Main Street", "", "usr_8f3a"]) == [[], [], []]


def test_a_column_of_russian_names_is_tagged_by_content(tier: NamesTier) -> None:
    fake = _faker(3)
    values = [fake.name() for _ in range(300)]
    result = classify_column("col_17", values, SCANNER, tier)
    assert result.categories == {"identity.name": "content"}
    assert result.names_checked == 200  # the tier reads part of the sample
    rows, distinct = result.content["person_name"]
    assert rows >= 190 and distinct >= 190
    named = classify_column("fio", values, SCANNER, tier)
    assert named.categories == {"identity.name": "name+content"}


def test_without_the_tier_names_are_only_evidence_of_a_column_name() -> None:
    fake = _faker(3)
    values = [fake.name() for _ in range(50)]
    assert classify_column("col_17", values, SCANNER).categories == {}
    assert classify_column("fio", values, SCANNER).categories == {"identity.name": "name"}


def test_identifiers_and_one_repeated_name_do_not_tag_a_column(tier: NamesTier) -> None:
    rng = random.Random(5)
    codes = [f"ЗК-{rng.randint(10000, 99999)}" for _ in range(100)]
    codes += [f"usr_{rng.getrandbits(32):08x}" for _ in range(100)]
    result = classify_column("reference", codes, SCANNER, tier)
    assert result.categories == {} and result.sparse == {}
    assert "person_name" not in result.content
    same = ["Иван Петрович Сидоров"] * 60  # one value, however often: not corroborated
    repeated = classify_column("owner", same, SCANNER, tier)
    assert "identity.name" not in repeated.categories
    assert repeated.sparse == {"identity.name": 1}


def test_a_note_that_mentions_a_name_is_not_a_name_column(tier: NamesTier) -> None:
    fake = _faker(8)
    notes = [f"звонил {fake.name()}, просил перезвонить" for _ in range(30)]
    result = classify_column("memo", notes, SCANNER, tier)
    assert "identity.name" not in result.categories  # the names are in the text
    if result.mode == "text":
        assert result.in_text["identity.name"] >= 25


def test_free_text_needs_two_distinct_names_to_report_them(tier: NamesTier) -> None:
    fake = _faker(11)
    filler = [fake.paragraph(nb_sentences=4) for _ in range(20)]
    one = [*filler]
    one[3] = "Пишет Иван Петрович Сидоров: прошу удалить мою учётную запись и все данные о заказах."
    result = classify_column("body", one, SCANNER, tier)
    assert result.mode == "text"
    assert "identity.name" not in result.in_text
    assert result.content["person_name"] == (1, 1)
    two = [*one]
    two[9] = "Добрый день, это Мария Ивановна Кузнецова, живу по адресу ул. Ленина, д. 5, кв. 2."
    two[14] = "Мой адрес изменился: пр. Мира, д. 17/2. С уважением, Олег Смирнов и его помощник."
    result = classify_column("body", two, SCANNER, tier)
    assert result.in_text["identity.name"] == 3
    assert result.in_text["contact.address"] == 2


def test_a_clear_message_when_natasha_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "natasha", None)  # import natasha now raises ImportError
    with pytest.raises(NamesTierMissing) as raised:
        tier_module.NamesTier()
    assert str(raised.value) == MISSING
    assert "pip install 'steward[names]'" in MISSING


def test_the_tier_reads_a_uniform_draw_of_the_sample_not_its_first_rows(tier: NamesTier) -> None:
    # a table no larger than the sample comes whole and in order: its oldest rows first
    fake = _faker(13)
    values = [f"usr_{i:06d}" for i in range(600)] + [fake.name() for _ in range(600)]
    result = classify_column("owner", values, SCANNER, tier)
    assert result.names_checked == 200
    rows, _distinct = result.content["person_name"]
    assert 60 <= rows <= 140  # about half of a uniform draw, none of the first 200 values
    assert result.categories == {"identity.name": "content"}
    again = classify_column("owner", values, SCANNER, tier)
    assert again.content == result.content  # the same draw each time
