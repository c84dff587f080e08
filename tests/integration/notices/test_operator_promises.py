"""Each seed operator's notice, rendered from its register, states what the operator promises.

For the five operators of OPERATORS.md the notice is rendered in every language the operator
declares, as Markdown and as HTML, and each promise is checked in both formats. Expected text is
derived from the register (purpose names, retention durations, recipients' countries, age rules,
security measures) wherever the register holds it, so a register edit moves the expectation too.
"""

from __future__ import annotations

import html
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from steward.notices.phrases import long_date
from steward.notices.plural import duration_phrase
from steward.notices.render import render_notice
from steward.register import load_register
from steward.register.countries import country_name
from steward.register.models import Register

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
OPERATORS = ("activecloud", "softvendor", "acrcloud", "amrcloud", "almis")


@cache
def register(operator: str) -> Register:
    return load_register(EXAMPLES / operator / "register.yaml")


def published(operator: str) -> date:
    """The register's "last updated" date, or a fixed day when it declares none."""
    return register(operator).policy.last_updated or date(2026, 11, 22)


def _md_text(markdown: str) -> str:
    text = re.sub(r"\\(.)", r"\1", markdown).replace("**", "").replace("`", "")
    return " ".join(text.split())


def _html_text(page: str) -> str:
    body = page.split("<main", 1)[-1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@cache
def rendered(operator: str, lang: str, fmt: str) -> str:
    return render_notice(
        register(operator), lang=lang, fmt=fmt, published=published(operator), version="1"
    )  # type: ignore[arg-type]


@cache
def texts(operator: str, lang: str) -> tuple[tuple[str, str], ...]:
    """The notice as plain text, once from Markdown and once from HTML: (format, text)."""
    return (
        ("md", _md_text(rendered(operator, lang, "md"))),
        ("html", _html_text(rendered(operator, lang, "html"))),
    )


def languages(operator: str) -> list[str]:
    return list(register(operator).operator.languages)


def cases(*operators: str) -> list[tuple[str, str]]:
    return [(op, lang) for op in operators for lang in languages(op)]


def section(markdown: str, anchor: str) -> str:
    """The Markdown of one notice section, from its anchor to the next one."""
    start = markdown.index(f'<a id="{anchor}"></a>')
    end = markdown.find('<a id="', start + 1)
    return markdown[start : end if end != -1 else None]


def processing_rows(operator: str, lang: str) -> dict[str, list[str]]:
    """Purpose name -> the cells of its row in the processing table (Markdown)."""
    rows: dict[str, list[str]] = {}
    lines = section(rendered(operator, lang, "md"), "processing").splitlines()
    for line in [x for x in lines if x.startswith("| ")][2:]:  # after the header and rule
        cells = [_md_text(c) for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        name = cells[1].split(":", 1)[0]
        rows[name] = cells
    return rows


def name_of(names: dict[str, str], lang: str) -> str:
    return names.get(lang) or names["en"]


def assert_states(operator: str, lang: str, *facts: str) -> None:
    for fmt, text in texts(operator, lang):
        for fact in facts:
            assert fact in text, f"{operator} {lang} {fmt}: notice does not state {fact!r}"


@pytest.mark.parametrize(("operator", "lang"), cases(*OPERATORS))
def test_every_notice_renders_in_each_declared_language_and_format(
    operator: str, lang: str
) -> None:
    for fmt, text in texts(operator, lang):
        assert register(operator).operator.legal_name.split("«")[0] in text, fmt
    assert rendered(operator, lang, "html").lower().startswith("<!doctype html>")


@pytest.mark.parametrize(("operator", "lang"), cases(*OPERATORS))
def test_processing_table_has_a_row_per_purpose_with_its_basis_and_retention(
    operator: str, lang: str
) -> None:
    rows = processing_rows(operator, lang)
    purposes = register(operator).purposes
    assert len(rows) == len(purposes)
    for purpose in purposes:
        cells = rows[name_of(purpose.names, lang)]
        assert len(cells) == 4
        if purpose.retention.duration is not None:
            assert cells[3].startswith(duration_phrase(purpose.retention.duration, lang)), cells
    for purpose in purposes:
        assert_states(operator, lang, name_of(purpose.names, lang))


# --- activecloud ------------------------------------------------------------------------------


def test_activecloud_states_call_recordings_three_months_and_session_recordings_one_week() -> None:
    rows = processing_rows("activecloud", "ru")
    reg = register("activecloud")
    by_id = {p.id: p for p in reg.purposes}
    calls, sessions = by_id["call-quality"], by_id["session-recordings"]
    assert duration_phrase(calls.retention.duration, "ru") == "3 месяца"  # type: ignore[arg-type]
    assert duration_phrase(sessions.retention.duration, "ru") == "1 неделя"  # type: ignore[arg-type]
    assert rows[calls.names["ru"]][3].startswith("3 месяца")
    assert rows[sessions.names["ru"]][3].startswith("1 неделя")
    # The tables' limits are stated too, in the genitive; not as automatic while no sweep runs.
    assert_states("activecloud", "ru", "хранятся не более 3 месяцев, затем удаляются.")
    # Webvisor recordings are kept by Yandex, not in a table Steward sweeps: the notice states
    # the week and who keeps them, and does not claim that Steward deletes them.
    assert "Яндекс" in " ".join(rows[sessions.names["ru"]])
    assert_states("activecloud", "ru", "Записи хранит ООО «Яндекс» в Яндекс Метрике")
    for _fmt, text in texts("activecloud", "ru"):
        assert "хранятся не более 1 недели, затем удаляются автоматически" not in text


def test_activecloud_states_no_solely_automated_decision() -> None:
    assert register("activecloud").policy.human_review
    assert not any(p.automated_decision for p in register("activecloud").purposes)
    assert_states(
        "activecloud", "ru", "Мы не принимаем в отношении вас решений, основанных исключительно"
    )


def test_activecloud_recipients_abroad_are_named_with_country_and_basis() -> None:
    reg = register("activecloud")
    abroad = [r for r in reg.recipients if r.country != reg.operator.country]
    assert abroad
    for fmt, text in texts("activecloud", "ru"):
        for recipient in abroad:
            name = name_of(recipient.names, "ru") if recipient.names else recipient.name
            assert name in text, fmt
        assert text.count("Это трансграничная передача; основание:") == len(abroad), fmt


def test_activecloud_rights_include_complaint() -> None:
    assert "complaint" in {r.value for r in register("activecloud").policy.requests.rights}
    assert_states("activecloud", "ru", "Право на жалобу")


def test_activecloud_rights_include_every_declared_right_with_portability() -> None:
    rights = section(rendered("activecloud", "ru", "md"), "rights")
    assert "Право на переносимость" in rights or "переносимост" in rights
    assert "возражение" in rights.lower()
    assert "отозвать согласие" in rights.lower() or "отзыв" in rights.lower()


def test_activecloud_states_the_declared_answer_deadline_of_30_days() -> None:
    deadline = register("activecloud").policy.requests.answer_within
    assert deadline is not None and deadline.days == 30 and not deadline.working_days
    assert_states("activecloud", "ru", "30 дней")


# --- softvendor -------------------------------------------------------------------------------


def test_softvendor_answers_within_10_working_days_on_a_signed_scanned_request() -> None:
    requests = register("softvendor").policy.requests
    assert requests.answer_within is not None
    assert (requests.answer_within.days, requests.answer_within.working_days) == (10, True)
    assert requests.signed_document
    assert_states("softvendor", "en", "within 10 working days", "scanned", "signature")


def test_softvendor_states_coppa_13_and_eu_16_with_a_guardian() -> None:
    ages = {rule.jurisdiction.value: rule for rule in register("softvendor").consents.age}
    coppa, gdpr = ages["us-coppa"], ages["eu-gdpr"]
    assert_states(
        "softvendor",
        "en",
        f"not directed to children under {coppa.minimum}",
        f"if you are under {gdpr.guardian_below}, we process your data only with the consent "
        "of your parent or guardian",
    )


def test_softvendor_states_breach_notification_by_email_or_phone() -> None:
    breaches = register("softvendor").policy.breaches
    assert breaches is not None
    assert {c.value for c in breaches.notify_subjects} == {"email", "phone"}
    for _fmt, text in texts("softvendor", "en"):
        assert "breach" in text.lower()


# --- acrcloud ---------------------------------------------------------------------------------


def test_acrcloud_is_not_directed_to_children_under_14() -> None:
    minimum = {rule.minimum for rule in register("acrcloud").consents.age}
    assert minimum == {14}
    assert_states("acrcloud", "en", "not directed to children under 14")


def test_acrcloud_names_each_transfer_to_the_united_states_with_its_basis() -> None:
    reg = register("acrcloud")
    us = [r for r in reg.recipients if r.country == "US"]
    assert us and all(r.transfer_basis is not None for r in us)
    country = country_name("US", "en")
    lines = section(rendered("acrcloud", "en", "md"), "recipients").splitlines()
    for recipient in us:
        line = _md_text(next(x for x in lines if x.startswith(f"- **{recipient.name}**")))
        assert f"), {country}, for:" in line, line
        assert "This is a cross-border transfer, based on " in line, line
        assert_states("acrcloud", "en", recipient.name)


def test_acrcloud_marketing_calls_and_emails_are_opted_out_separately() -> None:
    marketing = next(p for p in register("acrcloud").purposes if p.id == "marketing")
    assert marketing.basis.value == "consent"
    row = processing_rows("acrcloud", "en")[marketing.names["en"]]
    assert "opt out of marketing calls and of marketing e-mails separately" in row[1]
    assert row[2].startswith("Your consent")


@pytest.mark.parametrize("operator", ["acrcloud", "almis"])
def test_notice_shows_its_last_updated_date(operator: str) -> None:
    last_updated = register(operator).policy.last_updated
    assert last_updated is not None
    for lang in languages(operator):
        assert_states(operator, lang, long_date(last_updated, lang))


# --- amrcloud ---------------------------------------------------------------------------------


def test_amrcloud_states_every_datastore_is_in_russia() -> None:
    reg = register("amrcloud")
    assert {d.location for d in reg.datastores} == {"RU"}
    storage = _md_text(section(rendered("amrcloud", "en", "md"), "localization"))
    assert storage.count(country_name("RU", "en") + ":") + storage.count(
        "- Russian Federation"
    ) >= (len(reg.datastores))
    assert_states("amrcloud", "en", "databases located in the Russian Federation")


def test_amrcloud_analytics_cookies_are_listed_and_set_only_with_consent() -> None:
    reg = register("amrcloud")
    consent_purposes = {p.id for p in reg.purposes if p.basis.value == "consent"}
    analytics = [c.name for c in reg.cookies if c.purpose in consent_purposes]
    assert analytics == ["_ga", "_gid", "_gat"]
    assert_states(
        "amrcloud",
        "en",
        *analytics,
        "Cookies that are not strictly necessary are set only after you choose to allow them",
    )


def test_amrcloud_announces_significant_changes_by_email() -> None:
    changes = register("amrcloud").policy.changes
    assert changes is not None and [c.value for c in changes.notify] == ["email"]
    assert_states("amrcloud", "en", "We tell everyone who has an account by e-mail")


# --- almis ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", languages("almis"))
def test_almis_states_its_four_purposes(lang: str) -> None:
    rows = processing_rows("almis", lang)
    four = ["personalised-services", "communication", "service-improvement", "statistics"]
    by_id = {p.id: p for p in register("almis").purposes}
    for purpose_id in four:
        assert by_id[purpose_id].names[lang] in rows


@pytest.mark.parametrize("lang", languages("almis"))
def test_almis_lists_automatically_collected_data(lang: str) -> None:
    auto = "collected automatically" if lang == "en" else "собираются автоматически"
    data = section(rendered("almis", lang, "md"), "data")
    reg = register("almis")
    for category_id in (
        "device.ip_address",
        "device.cookie_id",
        "device.browser",
        "usage.access_time",
    ):
        category = reg.all_categories[category_id]
        name = category.ru if lang == "ru" else category.en
        line = next(x for x in data.splitlines() if x.startswith(f"- {name}:"))
        assert auto in line


@pytest.mark.parametrize("lang", languages("almis"))
def test_almis_transfers_only_where_the_law_requires(lang: str) -> None:
    recipients = register("almis").recipients
    assert [r.role.value for r in recipients] == ["authority"]
    no_abroad = (
        "We do not transfer your personal data across borders"
        if lang == "en"
        else "Мы не осуществляем трансграничную передачу"
    )
    recipients_md = _md_text(section(rendered("almis", lang, "md"), "recipients"))
    assert recipients_md.count(" - ") == len(recipients)
    assert_states("almis", lang, no_abroad)


@pytest.mark.parametrize("lang", languages("almis"))
def test_almis_states_its_declared_security_measures(lang: str) -> None:
    for measure in register("almis").policy.security:
        assert_states("almis", lang, name_of(measure.names, lang))


def test_activecloud_states_correspondence_is_disclosed_only_with_written_consent() -> None:
    assert any(m.id == "correspondence-access" for m in register("activecloud").policy.security)
    assert_states("activecloud", "ru", "не может быть раскрыт без вашего письменного согласия")
