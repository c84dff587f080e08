"""Consents carry the published notice version; a material change asks for them again."""

from pathlib import Path

from steward.config import Settings
from steward.consent.identity import ConsentKeys
from steward.consent.service import ConsentService
from steward.consent.tables import ConsentEvent
from steward.notices.publish import publish
from steward.store.db import session_factory, transaction

from ...consent_registers import SHOP, shop_register

ANNA = {"email": "anna@example.com"}


def test_material_notice_change_marks_consents_for_reconfirmation(
    store_engine, tmp_path: Path
) -> None:
    consents = ConsentService(
        shop_register(tmp_path), ConsentKeys.from_settings(Settings(dev=True))
    )
    sessions = session_factory(store_engine)

    def publish_text(text: str):
        with transaction(sessions) as s:
            return publish(
                s,
                text,
                source="register.yaml",
                actor="dpo@shop.example",
                base_url="https://shop.example",
                audience=lambda register: [],
            )

    publish_text(SHOP)
    with transaction(sessions) as s:
        done = consents.record(s, identifiers=ANNA, action="given", item="marketing-email")
    with sessions() as s:
        assert s.get(ConsentEvent, done.event_id).notice_version == "1"
        assert consents.decide(s, identifiers=ANNA, purpose="marketing", channel="email").allowed
    changed = SHOP.replace(
        "    categories: [contact.email, contact.phone]\n"
        "    subjects: [customer]\n    tags: [marketing]",
        "    categories: [contact.email, contact.phone, contact.address]\n"
        "    subjects: [customer]\n    tags: [marketing]",
    )
    assert changed != SHOP
    result = publish_text(changed)
    assert result.version.number == 2 and "marketing" in result.reconfirm_purposes
    assert result.reconfirm_marked
    with sessions() as s:
        decision = consents.decide(s, identifiers=ANNA, purpose="marketing", channel="email")
    assert not decision.allowed and decision.reason == "reconfirmation-required"
    with transaction(sessions) as s:
        again = consents.record(s, identifiers=ANNA, action="given", item="marketing-email")
    with sessions() as s:
        assert s.get(ConsentEvent, again.event_id).notice_version == "2"
        assert consents.decide(s, identifiers=ANNA, purpose="marketing", channel="email").allowed
