"""The cookie banner in Chromium: blocking, choices in the ledger, GPC, keyboard, languages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, Page, expect

from ..integration.consent.conftest import make_app

pytestmark = pytest.mark.browser

SITE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="/consent/banner.js"></script>
<script type="text/plain" data-purpose="analytics">window.analyticsLoaded = true;</script>
<script type="text/plain" data-purpose="ads">window.adsLoaded = true;</script>
<script>window.gaQueued = typeof gtag === "function";</script>
</head><body><h1>Shop</h1><a href="#" data-steward-consent-open>Cookie settings</a></body></html>"""


@pytest.fixture
def site(serve, tmp_path: Path) -> tuple[str, sa.Engine]:
    app = make_app(tmp_path)

    @app.get("/shop", response_class=HTMLResponse, include_in_schema=False)
    def shop() -> HTMLResponse:
        # The shop stands for the operator's own site, which has its own policy (inline
        # tags, Playwright's evaluations), not the strict one Steward sends for its pages.
        policy = "script-src 'self' 'unsafe-inline' 'unsafe-eval'"
        return HTMLResponse(SITE, headers={"Content-Security-Policy": policy})

    @app.get("/strict-shop", response_class=HTMLResponse, include_in_schema=False)
    def strict_shop() -> HTMLResponse:
        # An operator whose policy allows scripts and styles from its own origin only (where
        # Steward is served here): no inline style, so the banner's CSS must be a file.
        policy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'"
        return HTMLResponse(SITE, headers={"Content-Security-Policy": policy})

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'steward.db'}")
    return serve(app), engine


def ledger_rows(engine: sa.Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as c:
        return [
            tuple(r)
            for r in c.execute(
                sa.text("SELECT purpose_id, action, method FROM consent_events ORDER BY id")
            )
        ]


def wait_rows(engine: sa.Engine, count: int) -> list[tuple[str, str, str]]:
    """The ledger once it holds ``count`` events (the banner posts in the background)."""
    deadline = time.monotonic() + 10
    while True:
        rows = ledger_rows(engine)
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def wait_cookie(page: Page) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for cookie in page.context.cookies():
            if cookie["name"] == "steward_consent":
                return cookie
        time.sleep(0.05)
    raise AssertionError("the server set no consent cookie")


def loaded(page: Page, name: str) -> bool:
    return bool(page.evaluate(f"window.{name} === true"))


def consent_updates(page: Page) -> list[dict]:
    return page.evaluate(
        "Array.from(window.dataLayer).filter(a => a[0] === 'consent').map(a => ({kind: a[1], "
        "value: a[2]}))"
    )


def test_banner_blocks_analytics_until_accept_and_the_ledger_shows_it(site, page: Page) -> None:
    base, engine = site
    page.goto(base + "/shop")
    dialog = page.get_by_role("dialog", name="Cookies on this site")
    expect(dialog).to_be_visible()
    assert not loaded(page, "analyticsLoaded") and not loaded(page, "adsLoaded")
    [default] = consent_updates(page)
    assert default["kind"] == "default" and default["value"]["analytics_storage"] == "denied"
    assert default["value"]["wait_for_update"] == 500
    dialog.get_by_role("button", name="Accept all").click()
    expect(dialog).to_be_hidden()
    page.wait_for_function("window.analyticsLoaded === true && window.adsLoaded === true")
    update = consent_updates(page)[-1]
    assert update["kind"] == "update"
    assert update["value"]["analytics_storage"] == "granted"
    assert update["value"]["ad_storage"] == "granted"
    assert sorted(wait_rows(engine, 2)) == [
        ("ads", "given", "banner"),
        ("analytics", "given", "banner"),
    ]
    cookie = wait_cookie(page)
    assert cookie["httpOnly"] and cookie["expires"] > 300 * 86400  # set by the server, a year
    page.reload()
    assert page.get_by_role("dialog").count() == 0
    page.wait_for_function("window.analyticsLoaded === true")


def test_reject_all_leaves_analytics_blocked_and_is_recorded(site, page: Page) -> None:
    base, engine = site
    page.goto(base + "/shop")
    page.get_by_role("button", name="Reject all").click()
    assert sorted(wait_rows(engine, 2)) == [
        ("ads", "refused", "banner"),
        ("analytics", "refused", "banner"),
    ]
    assert not loaded(page, "analyticsLoaded") and not loaded(page, "adsLoaded")
    assert consent_updates(page)[-1]["value"]["analytics_storage"] == "denied"
    wait_cookie(page)
    page.reload()
    page.wait_for_load_state("load")
    assert page.get_by_role("dialog").count() == 0
    assert not loaded(page, "analyticsLoaded")


def test_choose_allows_only_the_ticked_purpose_and_link_reopens(site, page: Page) -> None:
    base, engine = site
    page.goto(base + "/shop")
    page.get_by_role("button", name="Choose").click()
    page.get_by_label("Analytics").check()
    page.get_by_role("button", name="Save my choice").click()
    page.wait_for_function("window.analyticsLoaded === true")
    assert not loaded(page, "adsLoaded")
    assert sorted(wait_rows(engine, 2)) == [
        ("ads", "refused", "banner"),
        ("analytics", "given", "banner"),
    ]
    page.get_by_text("Cookie settings").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def test_gpc_in_the_browser_yields_an_opt_out_and_a_later_choice_wins(
    site, browser: Browser
) -> None:
    base, engine = site
    context = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script(
        "Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})"
    )
    page = context.new_page()
    try:
        page.goto(base + "/shop")
        expect(page.get_by_text("Global Privacy Control")).to_be_visible()
        # CCPA § 7025(c)(6): the banner says the signal was honored.
        expect(page.get_by_text("Opt-out preference signal honored")).to_be_visible()
        assert wait_rows(engine, 1) == [("ads", "refused", "gpc")]
        assert not loaded(page, "adsLoaded")
        page.get_by_role("button", name="Accept all").click()
        page.wait_for_function("window.adsLoaded === true")
        assert wait_rows(engine, 3)[-2:] in (
            [("analytics", "given", "banner"), ("ads", "given", "banner")],
            [("ads", "given", "banner"), ("analytics", "given", "banner")],
        )
    finally:
        context.close()
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM consent_events")).scalar() == 3


def test_banner_is_usable_by_keyboard_with_focus_kept_inside(site, page: Page) -> None:
    base, _ = site
    page.goto(base + "/shop")
    expect(page.get_by_role("dialog")).to_be_visible()
    assert page.evaluate("document.activeElement.textContent") == "Accept all"
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('#steward-consent')")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("!!document.activeElement.closest('#steward-consent')")
    page.get_by_role("button", name="Reject all").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_hidden()


def test_banner_speaks_russian_to_a_russian_browser(site, browser: Browser) -> None:
    base, _ = site
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    try:
        page.goto(base + "/shop")
        dialog = page.get_by_role("dialog", name="Файлы cookie на этом сайте")
        expect(dialog.get_by_role("button", name="Отклонить все")).to_be_visible()
        assert dialog.get_attribute("lang") == "ru"
    finally:
        context.close()


def test_banner_and_its_choices_have_no_axe_violations(site, page: Page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base, _ = site
    page.goto(base + "/shop")
    page.get_by_role("button", name="Choose").click()
    results = Axe().run(page, context="#steward-consent")
    assert results.response["passes"], "axe checked nothing"
    assert results.violations_count == 0, results.generate_report()


def test_preview_page_runs_analytics_after_accepting(site, page: Page) -> None:
    base, _ = site
    page.goto(base + "/consent/preview")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("#analytics-state")).to_have_text("blocked")
    page.get_by_role("button", name="Accept all").click()
    expect(page.locator("#analytics-state")).to_have_text("running")


@pytest.mark.parametrize(
    "path", ["/consent/preview", "/strict-shop"], ids=["stewards-own-csp", "operator-strict-csp"]
)
def test_banner_is_styled_under_a_strict_content_security_policy(
    site, page: Page, path: str
) -> None:
    base, _ = site
    blocked: list[str] = []
    page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(base + path)
    box = page.locator("#steward-consent")
    expect(box).to_be_visible()
    # banner.css positions the dialog; an inline <style> the policy blocked would leave it static
    assert box.evaluate("e => getComputedStyle(e).position") == "fixed"
    assert box.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    assert not [m for m in blocked if "style" in m.lower()], blocked
    assert (
        page.locator("link#sc-style")
        .get_attribute("href")
        .startswith(base + "/consent/banner.css?v=")
    )
