"""The labelled corpus of bench/discovery.py: support messages and log lines, EN and RU.

Values come from Faker and are kept only when the validators accept them (Faker's phone numbers
are often not real numbers, some of its OGRNIP fail their checksum), so every label is a value
a careful human would call valid. Each document mixes filler sentences, labelled values (in
the forms people write them: Russian identifiers after their usual label word, a date of birth
after the words that say so, cards, phones and e-mail addresses as they come) and distractors
that hold no personal data: 16-digit order numbers failing Luhn, other order and ticket
numbers, UUIDs, timestamps (ISO and epoch), hashes, versions, amounts.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import md5, sha1, sha256

import phonenumbers
from faker import Faker
from stdnum import luhn

from steward.discovery import validators as v

REGIONS = ("RU", "US")


def _phone_by_parser(text: str) -> bool:
    """Truth for phone numbers from phonenumbers' own parser (Steward's scanner builds numbers
    from digits instead: the labels do not lean on the code they measure)."""
    for region in (None,) if text.startswith("+") else REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(text, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


@dataclass
class Document:
    text: str
    labels: list[tuple[str, int, int]] = field(default_factory=list)  # kind, start, end (chars)


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.labels: list[tuple[str, int, int]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def value(self, kind: str, text: str) -> None:
        self.labels.append((kind, self.size, self.size + len(text)))
        self.add(text)

    def done(self) -> Document:
        return Document("".join(self.parts), self.labels)


def _spaced(digits: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    out, i = [], 0
    for size in sizes:
        out.append(digits[i : i + size])
        i += size
    return sep.join(out)


class Values:
    """Valid values of each kind, drawn from Faker and filtered through the validators."""

    def __init__(self, seed: int) -> None:
        self.en, self.ru = Faker("en_US"), Faker("ru_RU")
        self.en.seed_instance(seed)
        self.ru.seed_instance(seed + 1)
        self.rng = random.Random(seed)
        self.rejected: Counter[str] = Counter()

    def _keep(self, kind: str, make, check):  # type: ignore[no-untyped-def]
        for _ in range(200):
            value = make()
            if check(value):
                return value
            self.rejected[kind] += 1
        raise RuntimeError(f"Faker gave no valid {kind} in 200 tries")

    def email(self) -> str:
        return self._keep("email", lambda: self.rng.choice((self.en, self.ru)).email(), v.email)

    def phone(self) -> str:
        fake = self.rng.choice((self.en, self.ru))
        return self._keep("phone", fake.phone_number, _phone_by_parser)

    def card(self) -> str:
        digits = self._keep("card", self.en.credit_card_number, v.card)
        if len(digits) == 16 and self.rng.random() < 0.5:
            return _spaced(digits, (4, 4, 4, 4), self.rng.choice((" ", "-")))
        return digits

    def iban(self) -> str:
        value = self._keep("iban", lambda: self.rng.choice((self.en, self.ru)).iban(), v.iban)
        if self.rng.random() < 0.5:
            return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        return value

    def ipv4(self) -> str:
        return self._keep("ipv4", self.en.ipv4, v.ipv4)

    def ipv6(self) -> str:
        return self._keep("ipv6", self.en.ipv6, v.ipv6)

    def inn(self) -> str:
        make = self.rng.choice((self.ru.individuals_inn, self.ru.businesses_inn))
        return self._keep("inn", make, v.inn)

    def ogrn(self) -> str:
        make = self.rng.choice((self.ru.individuals_ogrn, self.ru.businesses_ogrn))
        return self._keep("ogrn", make, v.ogrn)

    def snils(self) -> str:
        digits = self._keep("snils", self.ru.snils, v.snils)
        if self.rng.random() < 0.6:
            return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"
        return digits

    def passport(self) -> str:
        digits = self._keep(
            "passport", lambda: self.ru.passport_number().replace(" ", ""), v.passport_ru
        )
        return self.rng.choice(
            (
                _spaced(digits, (4, 6)),
                _spaced(digits, (2, 2, 6)),
                digits,
                f"{digits[:4]} № {digits[4:]}",
            )
        )

    def birth_date(self) -> str:
        day = self.ru.date_of_birth(minimum_age=16, maximum_age=90)
        form = self.rng.choice(("%d.%m.%Y", "%Y-%m-%d", "%m/%d/%Y"))
        return day.strftime(form)


# (kind, language, template): "{}" is where the value goes
TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("email", "en", "Please reply to {} when you can."),
    ("email", "en", "From: {}"),
    ("email", "ru", "Пишите мне на {}, отвечу быстро."),
    ("phone", "en", "You can call me on {} after 5pm."),
    ("phone", "en", "Phone: {}"),
    ("phone", "ru", "Мой телефон {}, звоните в любое время."),
    ("phone", "ru", "Тел.: {}"),
    ("card", "en", "I was charged twice on my card {} last week."),
    ("card", "en", "Card number {} exp 11/27"),
    ("card", "ru", "Оплатил картой {}, но заказ не прошёл."),
    ("card", "en", "{}"),
    ("iban", "en", "Please refund to IBAN {}."),
    ("iban", "ru", "Реквизиты для возврата: {}"),
    ("ipv4", "en", "Login from {} was blocked."),
    ("ipv4", "en", "client={} method=GET status=200"),
    ("ipv6", "en", "Connection from {} timed out."),
    ("inn", "ru", "ИНН {}"),
    ("inn", "ru", "Мой ИНН: {}, прошу выставить счёт."),
    ("inn", "en", "Our tax id (INN) is {}."),
    ("ogrn", "ru", "ОГРН {}"),
    ("ogrn", "ru", "ОГРНИП: {}, ИП Иванов."),
    ("snils", "ru", "СНИЛС {}"),
    ("snils", "ru", "Страховой номер (СНИЛС): {}"),
    ("passport", "ru", "Паспорт {}, выдан ОВД района."),
    ("passport", "ru", "паспорт серия {} выдан 2015 г."),
    ("passport", "en", "Passport: {}"),
    ("birth_date", "en", "Date of birth: {}"),
    ("birth_date", "en", "I was born on {}."),
    ("birth_date", "ru", "Дата рождения {}"),
    ("birth_date", "ru", "родился {} в Москве"),
)


def _order_number(rng: random.Random) -> str:
    body = rng.choice("3456") + "".join(rng.choice("0123456789") for _ in range(14))
    return body + str((int(luhn.calc_check_digit(body)) + rng.randint(1, 9)) % 10)


def distractor(rng: random.Random) -> str:
    """A sentence with numbers and codes that are not personal data."""
    when = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 60_000_000))
    blob = uuid.UUID(int=rng.getrandbits(128)).bytes
    version = f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}"
    money = f"{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}"
    choices = (
        f"Order {_order_number(rng)} was shipped.",
        f"Заказ № {_order_number(rng)} передан в доставку.",
        f"Order #{rng.randint(100000, 99999999)} is on its way.",
        f"Ticket {rng.randint(1000, 999999)} updated at {when.isoformat()}.",
        f"request_id={uuid.UUID(int=rng.getrandbits(128))} ts={int(when.timestamp())}",
        f"ts_ms={int(when.timestamp() * 1000)} build {version}",
        f"sha256 {sha256(blob).hexdigest()} md5 {md5(blob).hexdigest()}",
        f"commit {sha1(blob).hexdigest()} deployed {when:%Y-%m-%d %H:%M:%S}",
        f"Invoice INV-{when:%Y}-{rng.randint(1, 99999):05d} total ${money}",
        f"Tracking {rng.randint(10**11, 10**12 - 1)} at depot {rng.randint(10, 99)}.",
        f"Сумма {rng.randint(100, 99999)} руб., счёт {rng.randint(10**9, 10**10 - 1)}"
        f" от {when:%d.%m.%Y}.",
    )
    return rng.choice(choices)


def corpus(
    documents: int, seed: int = 2026, filler: float = 0.4, distractors: float = 0.25
) -> tuple[list[Document], Counter[str]]:
    """``documents`` labelled documents; also how many Faker values the validators refused.

    Each sentence is filler with probability ``filler``, a distractor with ``distractors``,
    else a labelled value in its template (the default is dense: a value every ~230 bytes)."""
    values = Values(seed)
    rng = values.rng
    docs: list[Document] = []
    for _ in range(documents):
        writer = _Writer()
        for _ in range(rng.randint(3, 7)):
            roll = rng.random()
            if roll < filler:
                fake = rng.choice((values.en, values.ru))
                writer.add(fake.sentence(nb_words=rng.randint(6, 16)))
            elif roll < filler + distractors:
                writer.add(distractor(rng))
            else:
                kind, _lang, template = rng.choice(TEMPLATES)
                value = getattr(values, kind)()
                before, after = template.split("{}")
                writer.add(before)
                writer.value(kind, value)
                writer.add(after)
            writer.add(" " if rng.random() < 0.7 else "\n")
        docs.append(writer.done())
    return docs, values.rejected


# the names tier's corpus: (kind, template); the value's form is drawn in names_corpus
NAME_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("person_name", "Здравствуйте, меня зовут {}."),
    ("person_name", "С уважением, {}"),
    ("person_name", "Заявитель: {}"),
    ("person_name", "Прошу передать документы {} лично в руки."),  # any case ending
    ("person_name", "{} просит перезвонить ему завтра утром."),
    ("postal_address", "Мой адрес: {}."),
    ("postal_address", "Прошу отправить письмо по адресу {}"),
    ("postal_address", "Адрес доставки изменился, теперь это {}, код домофона 12."),
)
_CASES = ("Марии", "Ивану", "Анной", "Петру", "Елене", "Сергею")  # first names, not nominative


def _name_distractor(fake: Faker, rng: random.Random) -> str:
    """Capitalised Russian words that are no person's name or address: companies, cities,
    streets without a house, jobs, products."""
    return rng.choice(
        (
            f"Счёт выставлен компании {fake.company()}.",
            f"Филиал в городе {fake.city_name()} открыт с понедельника.",
            f"Офис переехал на {fake.street_title()} улицу, вход со двора.",
            f"Вакансия: {fake.job()}.",
            f"Доставка {fake.large_company()} задерживается.",
            f"Заказ № {rng.randint(10000, 99999)} оформлен в городе {fake.city_name()}.",
        )
    )


def names_corpus(documents: int, seed: int = 41) -> list[Document]:
    """Russian messages with labelled person names and postal addresses (Faker ru_RU), filler
    and distractors (companies, cities, streets without a house number, jobs)."""
    fake = Faker("ru_RU")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    docs = []
    for _ in range(documents):
        writer = _Writer()
        for _ in range(rng.randint(2, 5)):
            roll = rng.random()
            if roll < 0.35:
                writer.add(fake.paragraph(nb_sentences=rng.randint(1, 3)) + " ")
            elif roll < 0.55:
                writer.add(_name_distractor(fake, rng) + " ")
            else:
                kind, template = rng.choice(NAME_TEMPLATES)
                if kind == "postal_address":
                    value = fake.address()
                elif "{} лично" in template:
                    value = f"{rng.choice(_CASES)} {fake.last_name()}"
                else:
                    value = rng.choice((fake.name(), f"{fake.first_name()} {fake.last_name()}"))
                before, after = template.split("{}")
                writer.add(before)
                writer.value(kind, value)
                writer.add(after + " ")
        docs.append(writer.done())
    return docs
