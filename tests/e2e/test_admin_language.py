"""The admin in Russian, in Chromium: a person picks the language on the Account page and every
main page then speaks it; a person who picked nothing gets the browser's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from steward.accounts.people import create_person
from steward.config import Settings
from steward.lib import i18n
from steward.store.db import make_engine, session_factory, transaction, upgrade
from steward.web.app import create_app

pytestmark = pytest.mark.browser
PASSWORD = "tea kettle lantern 7"
PAGES = (
    "/admin/",
    "/admin/requests",
    "/admin/consents",
    "/admin/people",
    "/admin/audit",
    "/admin/settings",
)


@pytest.fixture
def admin_site(serve, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        create_person(session, "owner@example.com", role="owner", password=PASSWORD, name="Olga")
    engine.dispose()
    return serve(create_app(Settings(database_url=url, totp_roles="")))


def english_sentences() -> list[str]:
    """Every catalogue string of two words or more that Russian translates differently."""
    ru = i18n.translator("ru")
    found = []
    for lang_file in [i18n._po("en")]:
        from babel.messages.pofile import read_po

        with lang_file.open("rb") as handle:
            for message in read_po(handle):
                text = message.id if isinstance(message.id, str) else message.id[0]
                if not text or "%(" in text or "<" in text or " " not in text.strip():
                    continue
                if ru.gettext(text) != text:
                    found.append(text)
    assert len(found) > 100
    return found


def sign_in(page: Page, base: str, *, button: str = "Sign in") -> None:
    page.goto(base + "/admin/sign-in")
    page.locator("#email").fill("owner@example.com")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def test_a_person_switches_the_admin_to_russian_and_every_main_page_speaks_it(
    admin_site: str, page: Page, browser: Browser, screenshot
) -> None:
    base = admin_site
    sign_in(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    page.get_by_role("link", name="Olga").click()
    page.get_by_label("Language of the admin pages").select_option("ru")
    page.get_by_role("button", name="Save the language").click()
    expect(page.get_by_role("status")).to_have_text("Язык сохранён.")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ваша учётная запись")

    english = english_sentences()
    headings = {
        "/admin/": "Обзор",
        "/admin/requests": "Запросы",
        "/admin/consents": "Согласия",
        "/admin/people": "Люди",
    }
    for path in PAGES:
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        if path in headings:
            expect(page.get_by_role("heading", level=1)).to_have_text(headings[path])
        shown = page.locator("body").inner_text()
        assert re.search("[а-яё]{4,}", shown), path
        untranslated = [text for text in english if text in shown]
        assert not untranslated, (path, untranslated)
        screenshot(page, f"admin-ru-{path.strip('/').replace('/', '-') or 'dashboard'}")

    # Dates in Russian: the sign-in just made is in the audit log, written the Russian way.
    page.goto(base + "/admin/account")
    started = page.locator("table time").first.inner_text()
    assert re.fullmatch(r"\d{1,2} [а-я]{3,4}\.? \d{4}\sг\., \d\d:\d\d", started), started

    # The choice is the person's, not the browser's: a fresh English browser gets Russian too.
    context = browser.new_context(locale="en-US")
    fresh = context.new_page()
    sign_in(fresh, base)
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Обзор")
    context.close()

    # Back to "as my browser asks": English again in an English browser.
    page.get_by_label("Язык страниц администрирования").select_option("")
    page.get_by_role("button", name="Сохранить язык").click()
    expect(page.get_by_role("status")).to_have_text("Language saved.")


def test_someone_who_chose_nothing_gets_the_browsers_language(
    admin_site: str, browser: Browser
) -> None:
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.goto(admin_site + "/admin/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Войти")
    sign_in(page, admin_site, button="Войти")
    expect(page.get_by_role("heading", level=1)).to_have_text("Обзор")
    expect(page.get_by_role("link", name="Журнал аудита", exact=True)).to_be_visible()
    context.close()
