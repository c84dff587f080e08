"""Each seed operator's consent promises, exercised on its example register."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from steward.config import Settings
from steward.consent import banner, ledger
from steward.consent.identity import ConsentKeys
from steward.consent.receipts import build_receipt
from steward.consent.rules import ConsentRuleError
from steward.consent.service import ConsentService
from steward.consent.tables import ConsentArtefact, ConsentEvent
from steward.register import load_register
from steward.store.db import session_factory, transaction
from steward.store.tables import utcnow

from ...conftest import EXAMPLES
from .conftest import make_app

KEYS = ConsentKeys.from_settings(Settings(dev=True))
USER = {"email": "user@example.com"}


def service_for(operator: str) -> ConsentService:
    return ConsentService(load_register(EXAMPLES / operator / "register.yaml"), KEYS)


def test_amrcloud_messages_analytics_admin_access_and_publication(store_engine) -> None:
    consents = service_for("amrcloud")
    sessions = session_factory(store_engine)
    with sessions() as s:
        # technical messages always; other messages only with consent
        assert consents.decide(
            s, identifiers=USER, purpose="service-messages", channel="email"
        ).allowed
        assert not consents.decide(s, identifiers=USER, purpose="news", channel="email").allowed
    with transaction(sessions) as s:
        access = consents.record(s, identifiers=USER, action="given", item="admin-access")
        consents.record(s, identifiers=USER, action="given", item="publish-results")
        visitor = ledger.resolve_subject(s, KEYS, {"visitor": "v-1"})
        consents.record_choices(
            s,
            subject_id=visitor,
            choices={"analytics-cookies": False},
            method="banner",
            lang="en",
            notice_version=None,
            artefact_sha256=None,
        )
    assert access.expires_at - utcnow() <= timedelta(days=7)
    with sessions() as s:
        assert consents.decide(s, identifiers=USER, purpose="admin-access", channel="web").allowed
        lapsed = consents.decide(
            s,
            identifiers=USER,
            purpose="admin-access",
            channel="web",
            now=utcnow() + timedelta(days=7, minutes=1),
        )
        assert not lapsed.allowed and lapsed.reason == "expired"
        # Google Analytics is set only with the visitor's choice
        assert [p.id for p in banner.banner_purposes(consents.register)] == ["analytics-cookies"]
        assert not consents.decide(
            s, subject_id=visitor, purpose="analytics-cookies", channel="web"
        ).allowed
    with transaction(sessions) as s:  # both permissions are revocable
        consents.record(s, identifiers=USER, action="withdrawn", item="admin-access")
        consents.record(s, identifiers=USER, action="withdrawn", item="publish-results")
    with sessions() as s:
        assert not consents.decide(s, identifiers=USER, purpose="admin-access").allowed
        published = consents.decide(s, identifiers=USER, purpose="publishing", channel="web")
        assert published.reason == "withdrawn"


def test_acrcloud_calls_and_emails_opt_out_separately_and_under_14_refused(store_engine) -> None:
    consents = service_for("acrcloud")
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        consents.record(s, identifiers=USER, action="given", item="marketing-email", age=30)
        consents.record(s, identifiers=USER, action="given", item="marketing-phone", age=30)
        consents.record(
            s,
            identifiers=USER,
            action="withdrawn",
            item="marketing-phone",
            method="phone",
            recorded_by="agent",
            evidence={"call_id": "c-17"},
        )
    with sessions() as s:
        assert consents.decide(s, identifiers=USER, purpose="marketing", channel="email").allowed
        calls = consents.decide(s, identifiers=USER, purpose="marketing", channel="phone")
        assert not calls.allowed and calls.reason == "withdrawn"
        admin = consents.decide(s, identifiers=USER, purpose="administrative", channel="email")
        assert admin.allowed  # administrative messages continue
    with transaction(sessions) as s, pytest.raises(ConsentRuleError, match="below 14"):
        consents.record(
            s,
            identifiers={"email": "kid@example.com"},
            action="given",
            item="marketing-email",
            age=13,
        )


def test_softvendor_registration_under_152fz_names_the_third_parties_and_guards_children(
    store_engine,
) -> None:
    consents = service_for("softvendor")
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        reg = consents.record(
            s,
            identifiers=USER,
            action="given",
            item="registration",
            method="web-form",
            age=30,
            jurisdiction="ru-152fz",
        )
        consents.record(s, identifiers=USER, action="given", item="cookies", method="web-form")
    with sessions() as s:
        event = s.get(ConsentEvent, reg.event_id)
        receipt = build_receipt(event, consents.register, KEYS)["receipt"]
        label = s.get(ConsentArtefact, event.artefact_sha256).text
    assert "152-FZ" in label and "transfer to third parties" in label
    [purpose] = receipt["services"][0]["purposes"]
    assert purpose["thirdPartyDisclosure"]
    assert purpose["thirdPartyName"] == ["Trusted third-party service providers"]
    with transaction(sessions) as s:  # withdrawal of processing and of cookies
        consents.record(
            s,
            identifiers=USER,
            action="withdrawn",
            item="registration",
            method="paper",
            evidence={"document_sha256": "ab" * 32},
        )
        consents.record(s, identifiers=USER, action="withdrawn", item="cookies")
    with sessions() as s:
        assert not consents.decide(s, identifiers=USER, purpose="service").allowed
        assert not consents.decide(s, identifiers=USER, purpose="usability", channel="web").allowed
    with transaction(sessions) as s, pytest.raises(ConsentRuleError) as coppa:
        consents.record(
            s,
            identifiers={"email": "kid@example.com"},
            action="given",
            item="registration",
            age=12,
            jurisdiction="us-coppa",
        )
    assert coppa.value.code == "below-minimum-age"
    with transaction(sessions) as s, pytest.raises(ConsentRuleError) as eu:
        consents.record(
            s,
            identifiers={"email": "teen@example.com"},
            action="given",
            item="registration",
            age=15,
            jurisdiction="eu-gdpr",
        )
    assert eu.value.code == "guardian-required"
    with transaction(sessions) as s:
        teen = consents.record(
            s,
            identifiers={"email": "teen@example.com"},
            action="given",
            item="registration",
            age=15,
            jurisdiction="eu-gdpr",
            recorded_by="guardian",
            guardian={"email": "mum@example.com"},
        )
    with sessions() as s:
        assert s.get(ConsentEvent, teen.event_id).recorded_by == "guardian"
        assert consents.decide(
            s, identifiers={"email": "teen@example.com"}, purpose="service"
        ).allowed


def test_almis_ticked_feedback_box_is_written_consent_with_the_exact_label(store_engine) -> None:
    consents = service_for("almis")
    sessions = session_factory(store_engine)
    label = "Я согласен на обработку персональных данных в соответствии с Политикой"
    with transaction(sessions) as s:
        done = consents.record(
            s,
            identifiers=USER,
            action="given",
            item="feedback-form",
            method="web-form",
            shown_text=label,
            lang="ru",
            evidence={"form_id": "feedback", "ip": "2001:db8:1234:5678::1"},
        )
    with sessions() as s:
        event = s.get(ConsentEvent, done.event_id)
        artefact = s.get(ConsentArtefact, event.artefact_sha256)
        assert artefact.text == label and artefact.lang == "ru"
        assert ledger.evidence_of(event) == {"form_id": "feedback", "ip": "2001:db8:1234::/48"}
        receipt = build_receipt(event, consents.register, KEYS)["receipt"]
        assert receipt["steward"]["shownTextSha256"] == ledger.artefact_sha256(label)
        assert receipt["collectionMethod"] == "web form" and receipt["language"] == "ru"
        assert consents.decide(s, identifiers=USER, purpose="communication", channel="web").allowed


def test_activecloud_every_mailing_link_unsubscribes_in_one_click(tmp_path: Path) -> None:
    register_text = (EXAMPLES / "activecloud" / "register.yaml").read_text(encoding="utf-8")
    app = make_app(tmp_path, register_text)
    customers = [f"customer{n}@example.com" for n in range(3)]
    with TestClient(app, headers={"Authorization": f"Bearer {app.state.test_api_token}"}) as client:
        for email in customers:  # current customers: mailings rest on legitimate interests
            answer = client.post(
                "/api/v1/consents/check",
                json={"identifiers": {"email": email}, "purpose": "mailings", "channel": "email"},
            ).json()
            assert answer["allowed"] and answer["reason"] == "basis:legitimate-interests"
        links = {
            email: client.post(
                "/api/v1/consents/unsubscribe-links",
                json={"identifiers": {"email": email}, "purpose": "mailings"},
            ).json()
            for email in customers
        }
        assert len({link["url"] for link in links.values()}) == 3
        assert links[customers[1]]["list_unsubscribe_post"] == "List-Unsubscribe=One-Click"
        path = links[customers[1]]["url"].removeprefix("http://127.0.0.1:8000")
        page = client.get(path)
        assert page.status_code == 200 and "Отписаться" in page.text
        assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
        allowed = [
            client.post(
                "/api/v1/consents/check",
                json={"identifiers": {"email": email}, "purpose": "mailings", "channel": "email"},
            ).json()["allowed"]
            for email in customers
        ]
    assert allowed == [True, False, True]
