"""Written consent (152-FZ Art. 9 p.4): each item's document, presented by the Privacy Center and
the SDK, and its hash recorded in the ledger when the subject agrees; GPC honored is shown.

Runs the real app over a SQLite store with almis's register (its feedback form is a written
consent) and the consent test shop (GPC purposes).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from steward.client import ConsentClient
from steward.filings.consent_document import consent_document
from steward.register import load_register

from ...conftest import EXAMPLES
from .conftest import make_app

ALMIS = EXAMPLES / "almis" / "register.yaml"
ART_9_4 = {
    "ru": [f"п. {n} ч. 4 ст. 9" for n in range(1, 10)],
    "en": [f"Art. 9 p.4({n})" for n in range(1, 10)],
}


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("operator", ["almis", "amrcloud", "activecloud", "softvendor", "demo"])
def test_every_consent_item_has_a_document_with_each_element_of_art_9_p4(
    operator: str, lang: str
) -> None:
    register = load_register(EXAMPLES / operator / "register.yaml")
    for item in register.consents.items:
        text = consent_document(register, item.id, lang).text
        for element in ART_9_4[lang]:
            assert element in text, (operator, item.id, element)
        assert register.operator.legal_name.split()[0] in text
        assert ("156-ФЗ" if lang == "ru" else "156-FZ") in text
        purpose = register.purpose(item.purpose)
        for category_id in purpose.categories:
            category = register.category(category_id)
            assert (category.ru if lang == "ru" else category.en) in text


@pytest.fixture
def almis(tmp_path: Path):
    app = make_app(tmp_path, ALMIS.read_text(encoding="utf-8"))
    headers = {"Authorization": f"Bearer {app.state.test_api_token}"}
    with TestClient(app, base_url="http://testserver", headers=headers) as client:
        yield app, client


def test_sdk_presents_the_document_and_the_ledger_records_its_hash(almis) -> None:
    app, client = almis
    sdk = ConsentClient(
        "http://testserver",
        token=client.headers["Authorization"].removeprefix("Bearer "),
        http=client,
        poll_interval=None,
    )
    document = sdk.consent_document("feedback-form", lang="ru")
    assert "Согласие на обработку персональных данных" in document["text"]
    sdk.record("ivan@example.ru", item="feedback-form", lang="ru")
    with app.state.sessions() as session:
        rows = session.execute(
            sa.text(
                "SELECT e.artefact_sha256, a.kind, a.text FROM consent_events e "
                "JOIN consent_artefacts a ON a.sha256 = e.artefact_sha256"
            )
        ).all()
    assert [(r[0], r[1]) for r in rows] == [(document["sha256"], "written-consent")]
    assert rows[0][2] == document["text"]
    page = client.get("/privacy/consents/documents/feedback-form?lang=ru")
    assert page.status_code == 200 and document["sha256"] in page.text
    assert "ч. 4 ст. 9" in page.text
    assert client.get("/privacy/consents/documents/nope").status_code == 404


def test_an_item_not_given_in_writing_keeps_its_label_as_the_text(almis) -> None:
    app, client = almis
    answer = client.post(
        "/api/v1/consents/events",
        json={
            "identifiers": {"email": "a@example.ru"},
            "action": "given",
            "item": "personalisation",
        },
    )
    assert answer.status_code == 201, answer.text
    with app.state.sessions() as session:
        kinds = session.execute(sa.text("SELECT kind FROM consent_artefacts")).scalars().all()
    assert kinds == ["label"]


def test_privacy_center_shows_opt_out_preference_signal_honored(client, app) -> None:
    anna = {"identifiers": {"email": "anna@example.com"}}
    assert client.post("/api/v1/consents/gpc", json=anna).status_code in (200, 201)
    client.post("/privacy/consents", data={"email": "anna@example.com"})
    with app.state.sessions() as session:
        [text] = session.execute(sa.text("SELECT body_text FROM outbox")).scalars().all()
    path = "/privacy/consents/" + text.split("/privacy/consents/")[1].split("?")[0].strip()
    center = client.get(path + "?lang=en")
    assert center.status_code == 200
    assert '<p class="notice gpc-honored"><strong>Opt-out preference signal honored' in center.text
    # A subject who never sent the signal sees no such line.
    client.post(
        "/api/v1/consents/events",
        json={
            "identifiers": {"email": "bob@example.com"},
            "action": "given",
            "item": "marketing-email",
        },
    )
    client.post("/privacy/consents", data={"email": "bob@example.com"})
    with app.state.sessions() as session:
        texts = session.execute(sa.text("SELECT body_text FROM outbox")).scalars().all()
    other = "/privacy/consents/" + texts[-1].split("/privacy/consents/")[1].split("?")[0].strip()
    assert other != path
    assert "Opt-out preference signal honored" not in client.get(other + "?lang=en").text
