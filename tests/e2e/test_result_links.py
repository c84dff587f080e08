"""Result links: the status page has a download button; a subject who opens the link in another
browser (no cookie of the verified browser) confirms it is them with a code sent to the e-mail
their request proved, then downloads; a forged, expired or replaced link gets a clear page.

Two browser-like clients with their own cookies drive the real pages; the codes are read from
the e-mails the product queued."""

from __future__ import annotations

import re
import time
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from steward.notify.outbox import OutboxMessage
from steward.requests import links

from .seed_operators import PrivacyCenter, Staff, build_demo


def _answered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    demo = build_demo("softvendor", tmp_path, monkeypatch, people=5)
    person = demo.built.people[0]
    first = PrivacyCenter(demo.app)
    status_url = first.file("information", person.email, signed_scan=True)
    first.verify(status_url, person.email)
    agent = Staff(demo.app, "agent")
    request_id = agent.request_id(first.reference(status_url))
    assert agent.act(request_id, "execute").state == "completed"
    return demo, person, first, status_url


def _codes(app, email: str) -> list[str]:
    with app.state.sessions() as session:
        mails = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "request.result-code")
            .where(OutboxMessage.to_address == email.casefold())
            .order_by(OutboxMessage.id)
        ).all()
        return [re.search(r"\b(\d{6})\b", m.body_text).group(1) for m in mails]  # type: ignore[union-attr]


def _form_action(html: str, ending: str) -> str:
    found = re.search(rf'action="([^"]+/{ending})"', html)
    assert found is not None, html[:3000]
    return unescape(found.group(1))


def _download_href(html: str) -> str:
    found = re.search(r'<a[^>]*id="download"[^>]*href="([^"]+)"', html) or re.search(
        r'<a[^>]*href="([^"]+)"[^>]*id="download"', html
    )
    assert found is not None, html[:3000]
    return unescape(found.group(1))


def test_another_browser_reverifies_by_code_and_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo, person, first, status_url = _answered(tmp_path, monkeypatch)
    expected = first.download(person.email)

    # the verified browser: the status page has the button, and it downloads
    page = first.client.get(status_url)
    assert page.status_code == 200
    assert first.client.get(_download_href(page.text)).content == expected

    # another browser, from the e-mailed link: no file, a page that offers a code
    other = PrivacyCenter(demo.app)
    link = first.result_link(person.email)
    refused = other.client.get(link)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert expected not in refused.content
    assert "send a code" in refused.text.lower()
    asked = other.client.post(_form_action(refused.text, "code"), data={"csrf_token": other.csrf})
    assert asked.status_code == 200, asked.text[:2000]
    [code] = _codes(demo.app, person.email)

    # a wrong code is counted and downloads nothing
    wrong = "000000" if code != "000000" else "111111"
    answer = other.client.post(
        _form_action(asked.text, "verify"), data={"csrf_token": other.csrf, "code": wrong}
    )
    assert answer.status_code == 400 and "tries left: 4" in answer.text.lower()
    assert other.client.get(link).status_code == 403

    confirmed = other.client.post(
        _form_action(asked.text, "verify"), data={"csrf_token": other.csrf, "code": code}
    )
    assert confirmed.status_code == 200, confirmed.text[:2000]
    downloaded = other.client.get(_download_href(confirmed.text))
    assert downloaded.status_code == 200 and downloaded.content == expected
    # the code works once
    again = other.client.post(
        _form_action(asked.text, "verify"), data={"csrf_token": other.csrf, "code": code}
    )
    assert again.status_code == 400

    # a third browser starting from the status page gets the same offer, not the file
    third = PrivacyCenter(demo.app)
    status = third.client.get(status_url)
    assert status.status_code == 200 and 'id="download"' not in status.text
    assert "/code" in _form_action(status.text, "code")


def test_forged_expired_and_replaced_links_get_a_clear_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo, person, first, status_url = _answered(tmp_path, monkeypatch)
    link = first.result_link(person.email)

    forged = first.client.get(link[:-3] + ("abc" if not link.endswith("abc") else "xyz"))
    assert forged.status_code == 410 and forged.headers["content-type"].startswith("text/html")
    assert "this link is not valid" in forged.text.lower()
    assert "dashboard" not in forged.text.lower()  # the subject's page, not the staff's

    secret = demo.app.state.settings.secret_key.get_secret_value()
    request_id, nonce = links.result_claims(secret, link.rsplit("/", 1)[1], 3600)
    days = demo.app.state.settings.requests_result_link_days
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - (days + 1) * 86400)
    old = links.result_token(secret, request_id, nonce)
    monkeypatch.setattr(time, "time", real_time)
    expired = first.client.get(f"/privacy/requests/result/{old}")
    assert expired.status_code == 410 and "expired" in expired.text.lower()
    assert "status page" in expired.text.lower()  # says where a fresh link is
    # ... and it is there: the status page of the verified browser mints a working one
    page = first.client.get(status_url)
    assert first.client.get(_download_href(page.text)).status_code == 200
