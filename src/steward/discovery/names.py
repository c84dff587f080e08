"""The optional tier: Russian person names and postal addresses in text (``steward scan --names``).

    tier = names_tier()                    # NamesTierMissing when natasha is not installed
    tier.find("Пишет Иванова Мария, ул. Ленина, д. 5")   # [NameHit('person_name', ...), ...]

*Names*: natasha's news NER model (slovnet, its weights and embeddings ship in natasha's wheel:
nothing is downloaded) proposes the person spans (PER); a span counts when it has two words or
more, each capitalised and Cyrillic, one of them a first name of natasha's own name dictionary
(in any case ending) or a patronymic ("Лора Рубеновна", "Марии Ивановой"). One capitalised word
("Семенова", or a word the model mistook for a name) is not enough, nor a company ("Коновалов
Лимитед"). Latin-script names (English ones) are not detected.

*Postal addresses*: a street type (``ул.``, ``проспект``, ``наб.``, ...), a street name and a
house number (``д. 5``), the Russian way of writing them; the settlement and postcode around it
are not needed; a name inside an address ("ул. Зои Космодемьянской") is the street's, not a
person's. natasha's own address grammar (yargy over pymorphy2) is not used: it took
~100 ms a message here (the NER: 6 ms in batches), and pymorphy2 needs ``pkg_resources``. English
addresses are not detected.

The tier costs seconds to load and milliseconds per value (docs/performance.md), so it is off
unless asked for, and a column sends at most ``SAMPLE`` of its values through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

SAMPLE = 200  # values of one column sent through the tier (of the uniform sample)
MISSING = (
    "--names needs the natasha package (Russian names and addresses), which is not installed; "
    "install it with: pip install 'steward[names]'"
)
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_WORD = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$")
_PATRONYMIC = re.compile(r"(?:ич|вн|ичн)(?:а|у|ем|е|ы|ой|ою)?$")
_STREET_TYPES = (
    r"ул\.|улица|улице|улицы|пр-т|просп\.|проспект|проспекте|пр\.|пер\.|переулок|переулке|ш\."
    r"|шоссе|наб\.|набережная|набережной|б-р|бул\.|бульвар|бульваре|пл\.|площадь|площади"
    r"|проезд|пр-д|аллея|аллее|алл\.|тупик|туп\.|мкр\.|микрорайон|линия"
)
# a street type, its name (up to four words, "8 Марта", "1-я Тверская-Ямская", "О.Кошевого",
# "Марта 8"), a house number
ADDRESS = re.compile(
    rf"(?<![А-Яа-яЁё\w])(?:{_STREET_TYPES}) ?(?:"
    r"\d{1,3}(?:-?[а-я]{1,2})? [А-ЯЁа-яё][А-Яа-яЁё\-]*(?: [А-ЯЁа-яё][А-Яа-яЁё\-]*){0,3}"
    r"|(?:[А-ЯЁ]\. ?)?[А-ЯЁ][А-Яа-яЁё\-]*(?: [А-ЯЁа-яё][А-Яа-яЁё\-]*){0,3}(?: \d{1,3})?)"
    r",? (?:д\.|дом) ?\d{1,4}[а-яА-Я]?(?:/\d{1,4})?(?![\w])"
)
_CASE_ENDINGS = ("ой", "ей", "ом", "ем", "ою", "ею", "а", "я", "у", "ю", "е", "и", "ы")
_RESTORED = ("", "а", "я", "й", "ь")


@dataclass(frozen=True, slots=True)
class NameHit:
    """A name or an address found in one text, with character offsets. ``value`` stays in
    memory only."""

    kind: str  # "person_name" | "postal_address"
    category: str
    start: int
    end: int
    value: str


class NamesTierMissing(RuntimeError):
    """natasha is not installed; the message says how to install it."""


@cache
def _first_names() -> frozenset[str]:
    from importlib.resources import files

    text = files("natasha").joinpath("data/dict/first.txt").read_text(encoding="utf-8")
    return frozenset(line.split("#")[0].strip() for line in text.splitlines() if line.strip())


def _is_first_name(word: str, first: frozenset[str]) -> bool:
    """Whether a word is a first name, as it is or in a case ending (Марии, Ивану, Анной,
    Андрею). Only case endings are taken off: "Захаров" is not "Захар"."""
    low = word.lower()
    if low in first:
        return True
    for ending in _CASE_ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 2:
            stem = low[: -len(ending)]
            if any(stem + restored in first for restored in _RESTORED):
                return True
    return False


def is_person_name(span: str, first: frozenset[str] | None = None) -> bool:
    """The rule a PER span of the model must pass (see the module's docstring)."""
    words = span.replace("\u00a0", " ").split()
    if len(words) < 2 or len(words) > 4 or not all(_WORD.match(w) for w in words):
        return False
    names = _first_names() if first is None else first
    return any(_PATRONYMIC.search(w) or _is_first_name(w, names) for w in words)


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


class NamesTier:
    """natasha's NER model, loaded once (2-5 s, and about 190 MB held in memory)."""

    def __init__(self) -> None:
        try:
            from natasha import NewsEmbedding, NewsNERTagger
        except ImportError as exc:
            raise NamesTierMissing(MISSING) from exc
        self._tagger: Any = NewsNERTagger(NewsEmbedding())
        self._first = _first_names()

    def find_many(self, texts: list[str]) -> list[list[NameHit]]:
        """The names and addresses of each text (texts without Cyrillic skip the model)."""
        out: list[list[NameHit]] = [[] for _ in texts]
        russian = [i for i, text in enumerate(texts) if has_cyrillic(text)]
        if not russian:
            return out
        markups = self._tagger.map([texts[i] for i in russian])
        for i, markup in zip(russian, markups, strict=True):
            text = texts[i]
            hits = out[i]
            addresses = [m.span() for m in ADDRESS.finditer(text)]
            for start, end in addresses:
                value = text[start:end]
                hits.append(NameHit("postal_address", "contact.address", start, end, value))
            for span in markup.spans:
                if span.type != "PER" or any(a <= span.start < b for a, b in addresses):
                    continue  # "ул. Зои Космодемьянской": a street, not a person
                value = text[span.start : span.stop]
                if is_person_name(value, self._first):
                    name = NameHit("person_name", "identity.name", span.start, span.stop, value)
                    hits.append(name)
            hits.sort(key=lambda h: h.start)
        return out

    def find(self, text: str) -> list[NameHit]:
        return self.find_many([text])[0]


@cache
def names_tier() -> NamesTier:
    """The tier, loaded on first use; raises NamesTierMissing without natasha."""
    return NamesTier()
