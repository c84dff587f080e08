"""The Privacy Center's public pages in Chromium: at desktop and phone widths, in English and
Russian, laid out one form control per row, nothing overflowing the page, no axe violations.

Screenshots of every page, width and language are kept in test-artifacts/privacy-center/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app

from ..conftest import EXAMPLES

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "privacy-center"
PAGES = [
    "/privacy/",
    "/privacy/requests/new",
    "/privacy/security/report",
    "/privacy/consents",
    "/privacy/notice",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def center(serve, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    register = EXAMPLES / "demo" / "register.yaml"
    return serve(create_app(Settings(database_url=url, register_path=register, dev=True)))


# Elements reaching past the right edge, except inside a box that scrolls on its own.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = e => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .filter(e => getComputedStyle(e).position !== 'fixed' && !scrolls(e))
    .map(e => e.tagName + (e.id ? '#' + e.id : '')).slice(0, 5);
}"""

ROWS = """() => [...document.querySelectorAll('form.stack')].flatMap(form => {
  const controls = [...form.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter(e => e.offsetParent !== null && !e.closest('fieldset'));
  const boxes = controls.map(e => e.getBoundingClientRect());
  const shared = [];
  for (let i = 1; i < boxes.length; i++) {
    if (boxes[i].top < boxes[i - 1].bottom - 1) {
      shared.push(controls[i].name || controls[i].tagName);
    }
  }
  return shared;
})"""


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_public_pages_lay_out_one_control_per_row_without_overflow(
    center: str, browser: Browser, width: str, lang: str
) -> None:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, locale=lang)
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for path in PAGES:
            answer = page.goto(f"{center}{path}?lang={lang}")
            assert answer is not None and answer.status == 200, path
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(SHOTS / f"{name}-{width}-{lang}.png"), full_page=True)
            assert page.evaluate(OVERFLOW) == [], f"{path} overflows at {w}px"
            assert page.evaluate(ROWS) == [], f"{path}: controls share a row at {w}px"
    finally:
        context.close()


def test_the_home_links_every_public_page_and_switches_language(
    center: str, browser: Browser
) -> None:
    context = browser.new_context(extra_http_headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    page = context.new_page()
    try:
        page.goto(center + "/privacy")
        assert page.url.endswith("/privacy/")
        assert page.locator("h1").inner_text() == "Центр конфиденциальности"
        links = {a.get_attribute("href").split("?")[0] for a in page.locator("main a").all()}
        assert {
            "/privacy/notice",
            "/privacy/consents",
            "/privacy/requests/new",
            "/privacy/security/report",
        } <= links
        page.get_by_role("link", name="English").click()
        assert page.locator("h1").inner_text() == "Privacy Center"
        for path in ("/privacy/requests/new", "/privacy/security/report", "/privacy/consents"):
            page.goto(center + path)
            assert page.locator("header a.brand").get_attribute("href").startswith("/privacy/")
        page.goto(center + "/privacy/")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
    finally:
        context.close()
