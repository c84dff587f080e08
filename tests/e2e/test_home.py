from pathlib import Path

import pytest
from playwright.sync_api import Page

from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app

from ..conftest import EXAMPLES

pytestmark = pytest.mark.browser


def test_home_page_shows_the_operator_in_a_real_browser(serve, page: Page, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    base = serve(
        create_app(Settings(database_url=url, register_path=EXAMPLES / "demo" / "register.yaml"))
    )
    page.goto(base + "/")
    assert page.locator("h1").inner_text() == "Polar Tea LLC"
