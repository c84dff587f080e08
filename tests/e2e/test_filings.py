"""The Filings page in Chromium: activecloud's drafts, a filing recorded, no axe violations."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from steward.accounts.people import create_person
from steward.config import Settings
from steward.store.db import make_engine, session_factory, transaction, upgrade
from steward.store.registers import record_register
from steward.web.app import create_app

from ..conftest import EXAMPLES
from .test_admin import PASSWORD, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def filings_site(serve, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    register = tmp_path / "register.yaml"
    register.write_text((EXAMPLES / "activecloud" / "register.yaml").read_text(encoding="utf-8"))
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        create_person(session, "dpo@example.com", role="dpo", password=PASSWORD, name="Dina")
        record_register(session, register)
    engine.dispose()
    # the second factor is a sign-in concern with tests of its own (test_admin.py)
    settings = Settings(database_url=url, register_path=register, totp_roles="")
    return serve(create_app(settings))


def test_dpo_records_the_art22_filing_and_the_page_passes_axe(
    filings_site: str, browser: Browser
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, filings_site, "dpo@example.com", PASSWORD)
        page.goto(filings_site + "/admin/filings")
        table = page.locator("#filings")
        expect(table).to_contain_text("Art. 22 notification of intention")
        expect(table).to_contain_text("Art. 12 cross-border transfer notification")
        results = Axe().run(page)
        assert results.response["passes"] and not results.violations_count, (
            results.generate_report()
        )
        form = page.locator("form[action$='/filed']").last  # the oldest draft: Art. 22
        form.get_by_label("Registry number").fill("77-26-000123")
        form.get_by_role("button", name="Record filing").click()
        expect(page.locator("#filings")).to_contain_text("No. 77-26-000123")
    finally:
        context.close()
