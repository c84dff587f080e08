"""The subject's documents in Russian come from the catalogue, one code path for every language:
the access report, the destruction act, the completion and objection e-mails. Counts take the
Russian plural form of CLDR's rule (1 и 21 запись, 3 записи, 5 записей), and no English text
is left in the Russian document (the Latin words left are the data: names, tables, e-mails)."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.datastores.executor import DatastoreOutcome
from steward.datastores.export import build_zip
from steward.register.loader import load_register
from steward.register.models import Register
from steward.requests import kinds, report
from steward.requests.results import RunResult
from steward.retention.acts import render_act
from steward.retention.tables import RetentionRun

from ...conftest import EXAMPLES

RECORDS = {1: "1 запись", 3: "3 записи", 5: "5 записей", 21: "21 запись"}
RELATED = {
    1: "1 связанная запись",
    3: "3 связанные записи",
    5: "5 связанных записей",
    21: "21 связанная запись",
}


def _ru_form(n: int) -> int:
    """CLDR's Russian rule, written out: 0 one, 1 few, 2 many."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


@pytest.fixture(scope="module")
def register() -> Register:
    return load_register(EXAMPLES / "demo" / "register.yaml")


def _latin_words(text: str) -> set[str]:
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    return set(re.findall(r"[A-Za-z]{3,}", html.unescape(re.sub(r"<[^>]+>", " ", text))))


def _access_report(register: Register, orders: int, lang: str) -> str:
    rows = {
        "customers": [
            {"email": "ann@example.org", "full_name": "Ann", "phone": None, "city_id": 1}
        ],
        "orders": [
            {"billing_name": "Ann", "billing_address": "Main 1", "items": "tea"}
            for _ in range(orders)
        ],
    }
    outcome = DatastoreOutcome(
        "app", rows=rows, shared={"orders": [[0]]}, lookups={"customers": {"city_id": {1: "Oslo"}}}
    )
    blob = build_zip(register, [outcome], reference="R-1", language=lang)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return archive.read("report.html").decode()


@pytest.mark.parametrize("n", sorted(RECORDS))
def test_the_access_report_counts_rows_in_russian_plural_forms(register: Register, n: int) -> None:
    ru = _access_report(register, n, "ru")
    assert f"Заказы ({RECORDS[n]})" in ru
    assert "Учётная запись (1 запись)" in ru
    assert "общая запись с другим лицом" in ru and "хранятся в app.orders" in ru
    data = {"Ann", "Main", "tea", "Oslo", "ann", "example", "org", "app", "orders", "customers"}
    operator = {"Polar", "Tea", "LLC", "Anna", "Smirnova", "polar", "privacy", "dpo"}
    law = {"GDPR", "Art", "Courier", "Fast"}  # the register's law references, a recipient
    assert _latin_words(ru) <= data | operator | law
    en = _access_report(register, n, "en")
    assert f"Orders ({n} record{'' if n == 1 else 's'})" in en
    assert "Your personal data" in en and "Your personal data" not in ru


@pytest.mark.parametrize("n", sorted(RELATED))
def test_the_destruction_act_counts_in_russian_plural_forms(register: Register, n: int) -> None:
    result = {
        "datastores": {
            "app": {
                "location": "RU",
                "tables": [
                    {
                        "table": "call_recordings",
                        "action": "delete",
                        "destroyed": n,
                        "children": {"call_notes": n},
                        "subjects": n,
                        "rule": "P3M",
                        "kept_held": 0,
                    }
                ],
            }
        },
        "subjects": {"count": n, "told_in": ["app.call_recordings"], "not_told_in": []},
    }
    run = RetentionRun(id=7, trigger="schedule", result=json.dumps(result), destroyed=n)
    act = render_act(register, run, date(2026, 12, 2))
    ru = act[act.index('<section lang="ru">') : act.index("</section>")]
    en = act[act.index('<section lang="en">') :]
    assert "Акт об уничтожении персональных данных" in ru
    assert f"{n} + {RELATED[n]}" in ru
    assert f"{n} + {n} related record{'' if n == 1 else 's'}" in en
    data = {"Polar", "Tea", "LLC", "Anna", "Smirnova", "app", "call", "recordings", "schedule"}
    assert _latin_words(ru) <= data | {"Steward"}


@given(st.integers(0, 10_000))
def test_the_completion_email_takes_the_plural_form_of_cldrs_rule(n: int) -> None:
    summary = {
        "run": 1,
        "kind": "erasure",
        "dry_run": False,
        "datastores": [
            {"datastore": "app", "tables": [{"table": "orders", "found": n, "deleted": n}]}
        ],
    }
    ru = report.of(RunResult.from_summary(summary), "ru")
    if n == 0:
        assert ru == "Данных о вас, которые нужно было изменить, не найдено."
        return
    forms = ("Удалена {} запись.", "Удалены {} записи.", "Удалено {} записей.")
    assert ru == forms[_ru_form(n)].format(n)
    en = report.of(RunResult.from_summary(summary), "en")
    assert en == f"Erased: {n} record{'' if n == 1 else 's'}."


@pytest.mark.parametrize("n", sorted(RECORDS))
def test_the_completion_email_in_russian_has_no_english_left(n: int) -> None:
    summary = {
        "run": 1,
        "kind": "erasure",
        "dry_run": False,
        "datastores": [
            {
                "datastore": "app",
                "tables": [{"table": "orders", "found": n, "deleted": n, "masked": n, "shared": n}],
            }
        ],
    }
    ru = report.of(RunResult.from_summary(summary), "ru")
    assert f"Удален{'а' if n in (1, 21) else 'ы' if n == 3 else 'о'} {RECORDS[n]}." in ru
    assert f"- orders: {RECORDS[n]}." in ru
    assert _latin_words(ru) == {"orders"}


def test_the_objection_email_in_russian_has_no_english_left() -> None:
    done = kinds.Done(
        "objection: stopped newsletter",
        [
            ("stopped", {"purposes": "Рассылка новостей"}),
            ("scheduled", {"purposes": "Рассылка новостей", "date": "2027-01-01"}),
        ],
    )
    told = kinds.words("ru")["objection-erasure"] + "\n" + done.told("ru")
    assert "Ваше возражение записано для целей: Рассылка новостей." in told
    assert "будут уничтожены 2027-01-01" in told
    assert not _latin_words(told)
    english = done.told("en")
    assert english.startswith("Your objection is recorded for: Рассылка новостей.")
