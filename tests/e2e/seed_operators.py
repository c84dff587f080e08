"""The seed operators end to end: demo databases built from each register, a subject who files
a request in the Privacy Center, agents who work it in the admin.

    demo = build_demo("activecloud", tmp_path, monkeypatch, {"telephony": postgres_url})
    center = PrivacyCenter(demo.app)
    status_url = center.file("erasure", person.email)
    center.verify(status_url, person.email)            # the code, read from the outbox
    agent = Staff(demo.app, "agent")
    request_id = agent.request_id(center.reference(status_url))
    agent.act(request_id, "execute")                   # an erasure: asks for approval
    Staff(demo.app, "dpo").act(request_id, "approve", "checked")
    page = agent.wait_for(request_id, executed("erasure"), "erased")

Everything goes through the product's pages: nothing calls a service directly except to read
the outbox (where the product delivers the code today) and the operator's databases (the truth
the assertions compare against). Runs are queued for the embedded job runner, which reads the
same STEWARD_* settings as the app; waiting is done by reading the request's page until it
shows the run's result, so the tests hold however the work is scheduled.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from types import ModuleType
from typing import Any

import phonenumbers
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.notify.outbox import OutboxMessage
from steward.register import load_register
from steward.register.models import Register
from steward.web.auth import csrf_token_for
from steward.web.security import CSRF_COOKIE

from ..conftest import EXAMPLES
from ..jobs_app import embedded_app
from ..personas import sign_in_as

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WAIT_SECONDS = 60


def demo_db() -> ModuleType:
    """``examples/demo_db.py``, the generator every operator's demo databases come from."""
    name = "steward_examples_demo_db"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, EXAMPLES / "demo_db.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass
class Demo:
    register: Register
    built: Any  # demo_db.Built: people and URLs
    app: Any

    def person_with(self, datastore: str, sql: str) -> Any:
        """The first demo person for whom ``sql`` (one ``:email``/``:phone``/``:account``
        parameter set) returns a row in ``datastore``."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.built.urls[datastore])
        try:
            with engine.connect() as connection:
                for person in self.built.people:
                    params = {
                        "email": person.email,
                        "phone": person.phone,
                        "account": person.account,
                    }
                    if connection.execute(sa.text(sql), params).first() is not None:
                        return person
        finally:
            engine.dispose()
        pytest.fail(f"no demo person matches {sql!r} in {datastore}", pytrace=False)

    def ids_with_phone(self, datastore: str, table: str, column: str, e164: str) -> set[int]:
        """Ids of ``table``'s rows whose ``column`` is ``e164`` in any spelling."""
        region = self.register.operator.country
        found = set()
        for row_id, value in self.query(datastore, f"SELECT id, {column} FROM {table}"):
            try:
                number = phonenumbers.parse(str(value), region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == e164:
                found.add(int(row_id))
        return found

    def query(self, datastore: str, sql: str, **params: Any) -> list[Any]:
        import sqlalchemy as sa

        engine = sa.create_engine(self.built.urls[datastore])
        try:
            with engine.connect() as connection:
                return list(connection.execute(sa.text(sql), params))
        finally:
            engine.dispose()


def build_demo(
    operator: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    urls: dict[str, str] | None = None,
    *,
    people: int = 30,
) -> Demo:
    """The operator's demo databases (SQLite in ``tmp_path`` unless ``urls`` names a server
    database) and Steward serving its register on a fresh store."""
    register = load_register(EXAMPLES / operator / "register.yaml")
    given = urls or {}
    all_urls = {
        d.id: given.get(d.id) or f"sqlite:///{tmp_path / f'{operator}-{d.id}.db'}"
        for d in register.datastores
    }
    built = demo_db().build(register, all_urls, people=people, seed=11)
    for variable, url in built.env(register).items():
        monkeypatch.setenv(variable, url)
    # Steward and its embedded job runner read the same STEWARD_* settings, as under `make run`
    app = embedded_app(tmp_path, monkeypatch, operator, base_url="http://testserver")
    return Demo(register, built, app)


class PrivacyCenter:
    """The subject's side: the public pages, in one browser-like client with its cookies."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.client = TestClient(app, follow_redirects=False)
        self.client.cookies.set(CSRF_COOKIE, "subject-seed")
        secret = app.state.settings.secret_key.get_secret_value()
        self.csrf = csrf_token_for(secret, "subject-seed")

    def file(
        self,
        kind: str,
        email: str,
        *,
        lang: str = "en",
        signed_scan: bool = False,
        subject_kind: str | None = None,
    ) -> str:
        """File a request on the form (as ``subject_kind`` when given, which the form must
        offer); returns the status page's URL."""
        form = self.client.get(f"/privacy/requests/new?lang={lang}")
        assert form.status_code == 200 and f'value="{kind}"' in form.text, form.text[:500]
        data = {"csrf_token": self.csrf, "kind": kind, "email": email, "lang": lang}
        if subject_kind is not None:
            offered = re.search(r'<select id="subject_kind"[^>]*>(.*?)</select>', form.text, re.S)
            assert offered and f'value="{subject_kind}"' in offered.group(1), form.text[:2000]
            data["subject_kind"] = subject_kind
        files = {"attachment": ("request.pdf", PDF, "application/pdf")} if signed_scan else None
        answer = self.client.post("/privacy/requests/new", data=data, files=files)
        assert answer.status_code == 303, answer.text[:2000]
        return str(answer.headers["location"]).split("?")[0]

    def code_sent_to(self, email: str) -> str:
        """The verification code from the e-mail the product queued for ``email``."""
        with self.app.state.sessions() as session:
            mail = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "request.code")
                .where(OutboxMessage.to_address == email.casefold())
                .order_by(OutboxMessage.id.desc())
            ).first()
        assert mail is not None, "no code e-mail was queued"
        found = re.search(r"\b(\d{6})\b", mail.body_text)
        assert found is not None
        return found.group(1)

    def verify(self, status_url: str, email: str) -> None:
        code = self.code_sent_to(email)
        answer = self.client.post(
            status_url + "/verify", data={"csrf_token": self.csrf, "code": code}
        )
        assert answer.status_code == 200, answer.text[:2000]
        assert _text_of(answer.text, "state") == "verified"

    def reference(self, status_url: str) -> str:
        page = self.client.get(status_url)
        assert page.status_code == 200
        return _text_of(page.text, "reference")

    def result_link(self, email: str) -> str:
        with self.app.state.sessions() as session:
            mail = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.to_address == email.casefold())
                .where(OutboxMessage.body_text.contains("/privacy/requests/result/"))
                .order_by(OutboxMessage.id.desc())
            ).first()
        assert mail is not None, "no e-mail with a result link was queued"
        link = re.search(r"http://testserver(/privacy/requests/result/\S+)", mail.body_text)
        assert link is not None
        return link.group(1)

    def download(self, email: str) -> bytes:
        answer = self.client.get(self.result_link(email))
        assert answer.status_code == 200, answer.text[:500]
        return answer.content


@dataclass(frozen=True)
class RequestPage:
    state: str
    outcome: str
    due: str
    timeline: str
    error: str


class Staff:
    """A signed-in agent or DPO working requests in the admin."""

    def __init__(self, app: Any, role: str) -> None:
        self.client = TestClient(app, follow_redirects=False)
        self.csrf = sign_in_as(self.client, role)

    def request_id(self, reference: str) -> int:
        queue = self.client.get("/admin/requests")
        assert queue.status_code == 200
        found = re.search(
            rf'href="/admin/requests/(\d+)"[^>]*>\s*{re.escape(reference)}', queue.text
        )
        assert found is not None, f"{reference} is not in the queue"
        return int(found.group(1))

    def page(self, request_id: int) -> RequestPage:
        answer = self.client.get(f"/admin/requests/{request_id}")
        assert answer.status_code == 200, answer.text[:500]
        return _request_page(answer.text)

    def act(self, request_id: int, action: str, text: str = "") -> RequestPage:
        answer = self.client.post(
            f"/admin/requests/{request_id}",
            data={"csrf_token": self.csrf, "action": action, "text": text},
        )
        if answer.status_code != 303:
            page = _request_page(answer.text) if '<dd id="state">' in answer.text else None
            pytest.fail(
                f"'{action}' answered {answer.status_code}: "
                f"{page.error if page else answer.text[:1000]}",
                pytrace=False,
            )
        return self.page(request_id)

    def wait_for(
        self, request_id: int, done: Callable[[RequestPage], bool], what: str
    ) -> RequestPage:
        """Read the request's page until ``done`` holds (execution may run in a worker)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            page = self.page(request_id)
            if done(page):
                return page
            if time.monotonic() > deadline:
                pytest.fail(
                    f"after {WAIT_SECONDS} s the request is '{page.state}' "
                    f"(outcome: {page.outcome!r}), not {what}",
                    pytrace=False,
                )
            time.sleep(0.2)


def file_and_verify(app: Any, kind: str, email: str, **options: Any) -> tuple[str, int]:
    """A subject files ``kind`` in the Privacy Center and confirms it with the e-mailed code;
    the request's reference and its id in the admin's queue."""
    center = PrivacyCenter(app)
    status_url = center.file(kind, email, **options)
    center.verify(status_url, email)
    reference = center.reference(status_url)
    return reference, Staff(app, "agent").request_id(reference)


def previewed(kind: str) -> Callable[[RequestPage], bool]:
    """The request's timeline shows a finished preview (dry run) of ``kind``."""
    return lambda page: f"{kind} (dry run): " in page.timeline


def executed(kind: str) -> Callable[[RequestPage], bool]:
    """The request's page shows the result of a real (not dry) run of ``kind``."""
    return lambda page: (
        page.outcome.startswith(f"{kind}:")
        and "found" in page.outcome
        and "(dry run)" not in page.outcome
        and page.state != "verified"
    )


def _text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def _date_of(html: str, element_id: str) -> str:
    """The ISO date of the ``<time datetime>`` inside an element (the text is localised)."""
    found = re.search(rf'id="{element_id}"[^>]*>\s*<time datetime="([^"]+)"', html)
    return found.group(1) if found else ""


def _request_page(html: str) -> RequestPage:
    timeline = re.search(r'<ol id="timeline">(.*?)</ol>', html, re.DOTALL)
    return RequestPage(
        state=_text_of(html, "state"),
        outcome=_text_of(html, "outcome"),
        due=_date_of(html, "due"),
        timeline=unescape(re.sub(r"<[^>]+>", " ", timeline.group(1))) if timeline else "",
        error=_text_of(html, "error"),
    )
