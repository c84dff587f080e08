"""The catalogues: up to date with the sources, Russian complete, CLDR plural rules, and the one
language picker."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from steward.lib import i18n

ROOT = Path(__file__).resolve().parents[3]
PYBABEL = Path(sys.executable).with_name("pybabel")
KEYWORDS = ("-k", "NC_:1c,2")  # as `make i18n`: N_ with a context
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}")


def _catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, str(m.id if isinstance(m.id, str) else m.id[0])) for m in catalog if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What `make i18n` extracts from the sources today (the same pybabel command)."""
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            str(PYBABEL),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            *KEYWORDS,
            "-o",
            str(out),
            "src/steward",
        ],
        cwd=ROOT,
        check=True,
    )
    return _catalog(out)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_catalogue_holds_exactly_the_strings_of_the_sources(
    extracted: Catalog, lang: str
) -> None:
    catalog = _catalog(i18n._po(lang))
    missing, stale = _ids(extracted) - _ids(catalog), _ids(catalog) - _ids(extracted)
    assert not missing, f"run `make i18n` and translate: {sorted(missing)[:20]}"
    assert not stale, f"run `make i18n` (strings no source uses): {sorted(stale)[:20]}"


def test_every_string_has_a_russian_translation_keeping_its_placeholders() -> None:
    catalog = _catalog(i18n._po("ru"))
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert not message.fuzzy, f"fuzzy (check and unmark): {ids[0]!r}"
        assert all(strings), f"untranslated: {ids[0]!r}"
        wanted = sorted(set(PLACEHOLDER.findall(ids[-1])))
        for text in strings:
            assert sorted(set(PLACEHOLDER.findall(text))) == wanted, (ids[0], text)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_plural_rules_are_cldr_s(lang: str) -> None:
    catalog = _catalog(i18n._po(lang))
    count, rule = get_plural(lang)
    assert catalog.num_plurals == count
    assert catalog.plural_expr == rule


def test_russian_plurals_follow_the_cldr_rule() -> None:
    t = i18n.translator("ru")
    counts = (1, 2, 5, 21, 22, 25, 11)
    forms = {n: t.ngettext("%(num)s day left", "%(num)s days left", n) for n in counts}
    assert forms[1] == forms[21] != forms[2]
    assert forms[2] == forms[22] != forms[5]
    assert forms[5] == forms[25] == forms[11]


def test_the_russian_catalogue_translates_and_english_passes_through() -> None:
    assert i18n.translator("ru").gettext("Sign out") != "Sign out"
    assert i18n.translator("en").gettext("Sign out") == "Sign out"
    assert i18n.translator("xx").gettext("Sign out") == "Sign out"


def test_the_po_compiles_the_same_in_memory_as_pybabel(tmp_path: Path) -> None:
    po = i18n._po("ru")
    mo = tmp_path / "messages.mo"
    subprocess.run(
        [str(PYBABEL), "-q", "compile", "-i", str(po), "-o", str(mo), "-l", "ru"], check=True
    )
    assert i18n.compile_po(po) == mo.read_bytes()


LANG = st.sampled_from(["en", "ru", "de", "fr", "uk", "zh"])


@given(st.lists(st.tuples(LANG, st.integers(0, 10)), max_size=6))
def test_negotiate_gives_the_highest_q_offered_language(wanted: list[tuple[str, int]]) -> None:
    header = ",".join(f"{code}-XX;q={q / 10}" for code, q in wanted)
    chosen = i18n.negotiate(header, ("en", "ru"), default="en")
    offered = [(q, -i, code) for i, (code, q) in enumerate(wanted) if code in ("en", "ru") and q]
    assert chosen == (max(offered)[2] if offered else "en")


def test_an_explicit_choice_wins_over_the_browser_only_when_offered() -> None:
    assert i18n.pick(("ru",), "en", ("en", "ru")) == "ru"
    assert i18n.pick(("de", None), "ru;q=0.5,en;q=0.4", ("en", "ru")) == "ru"
    assert i18n.pick((), "de", ("ru",)) == "ru"
    assert i18n.pick((), "garbage;q=x,,;", ("en", "ru")) == "en"


def test_dates_and_numbers_follow_the_language() -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)
    assert i18n.format_datetime(moment, "en") == "Dec 2, 2026, 14:05"
    assert i18n.format_datetime(moment, "ru").startswith("2 дек. 2026")
    assert i18n.format_number(1234567.5, "en") == "1,234,567.5"
    assert i18n.format_number(1234567.5, "ru") == "1\xa0234\xa0567,5"


# a register's text in each language (a category's name) is a value too
_localized = st.fixed_dictionaries(
    {"en": st.text(max_size=8)}, optional={"ru": st.text(max_size=8)}
)
_values = st.one_of(st.integers(-5, 10_000), st.text(max_size=12), st.none(), _localized)
_phrases = st.recursive(
    st.builds(
        lambda text, values: i18n.Phrase(text, **values),
        st.sampled_from(["run %(run)s", "found %(num)s", "try %(num)s", "identity: %(how)s"]),
        st.fixed_dictionaries({"run": _values, "num": st.integers(0, 99), "how": _values}),
    ),
    lambda inner: st.lists(st.one_of(inner, st.text(max_size=5)), max_size=4).map(
        lambda parts: i18n.Phrase.join(*parts, sep=", ")
    ),
    max_leaves=6,
)


@given(_phrases)
def test_a_stored_phrase_reads_back_the_same_in_every_language(phrase: i18n.Phrase) -> None:
    import json

    stored = i18n.phrase_json(phrase)
    assert stored is not None and i18n.Phrase.load(json.loads(stored)) == phrase
    for lang in i18n.LANGUAGES:
        assert i18n.recorded(stored, "as stored", lang) == phrase.say(lang)
    assert str(phrase) == phrase.say("en")


def test_a_phrase_is_said_in_russian_with_its_plural_and_nested_values() -> None:
    run = i18n.Phrase("run %(run)s attempt %(attempt)s", run=7, attempt=2)
    line = i18n.Phrase.join(run, ": ", i18n.Phrase("found %(num)s", num=3), "; typed as is")
    assert str(line) == "run 7 attempt 2: found 3; typed as is"
    assert line.say("ru") == "запуск 7, попытка 2: найдено 3; typed as is"
    sent = i18n.Phrase.ngettext("%(num)s reminder", "%(num)s reminders", 5)
    assert (str(sent), sent.say("ru")) == ("5 reminders", "5 напоминаний")
    label = {"en": "contact.email (E-mail address)", "ru": "contact.email (Адрес)"}
    holds = i18n.Phrase("%(where)s holds %(label)s, not declared", where="app.t.c", label=label)
    assert str(holds) == "app.t.c holds contact.email (E-mail address), not declared"
    assert holds.say("ru") == "app.t.c содержит contact.email (Адрес), не заявлено"
    assert i18n.phrase_json("typed by a person") is None  # a person's text keeps no phrase
    assert i18n.recorded(None, "typed by a person", "ru") == "typed by a person"
    assert i18n.recorded("{not json", "kept as stored", "ru") == "kept as stored"
