from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from steward.config import Settings
from steward.consent import ledger
from steward.consent.identity import ConsentKeys
from steward.consent.receipts import build_receipt, verify_receipt
from steward.consent.rules import ConsentRuleError
from steward.consent.service import ConsentService, mark_for_reconfirmation
from steward.consent.tables import ConsentEvent
from steward.store.db import session_factory, transaction
from steward.store.tables import utcnow

from ...consent_registers import shop_register


@pytest.fixture
def keys() -> ConsentKeys:
    return ConsentKeys.from_settings(Settings(dev=True))


@pytest.fixture
def consents(tmp_path: Path, keys: ConsentKeys) -> ConsentService:
    return ConsentService(shop_register(tmp_path), keys)


ANNA = {"email": "Anna@Example.com"}


def test_marketing_calls_and_emails_are_separate_consents(store_engine, consents) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        consents.record(s, identifiers=ANNA, action="given", item="marketing-email")
        consents.record(s, identifiers=ANNA, action="given", item="marketing-calls")
        consents.record(s, identifiers=ANNA, action="withdrawn", item="marketing-calls")
    with sessions() as s:
        email = consents.decide(s, identifiers=ANNA, purpose="marketing", channel="email")
        phone = consents.decide(
            s, identifiers={"email": "anna@example.com "}, purpose="marketing", channel="phone"
        )
        service = consents.decide(s, identifiers=ANNA, purpose="service", channel="email")
    assert email.allowed and email.reason == "given"
    assert not phone.allowed and phone.reason == "withdrawn" and phone.event_id
    assert service.allowed and service.reason == "basis:contract"


def test_identifiers_and_ip_are_never_stored_in_plain_text(store_engine, consents) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        consents.record(
            s,
            identifiers={"email": "anna@example.com", "phone": "+7 916 123-45-67"},
            action="given",
            item="marketing-email",
            evidence={"ip": "203.0.113.77", "user_agent": "Mozilla/5.0"},
        )
    with store_engine.connect() as c:
        dump = "\n".join(
            str(row)
            for table in ("consent_identifiers", "consent_events", "consent_subjects")
            for row in c.execute(sa.text(f"SELECT * FROM {table}"))
        )
    assert "anna@example.com" not in dump.lower()
    assert "9161234567" not in dump and "203.0.113.77" not in dump
    assert "203.0.113.0/24" in dump


def test_verify_finds_a_tampered_event_and_shown_text_is_kept_once(store_engine, consents) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        ids = [
            consents.record(
                s, identifiers={"account-id": str(n)}, action="given", item="marketing-email"
            ).event_id
            for n in range(4)
        ]
    with sessions() as s:
        assert ledger.verify(s) is None
        assert s.scalar(sa.text("SELECT count(*) FROM consent_artefacts")) == 1
        shas = {e.artefact_sha256 for e in ledger.events(s)}
        assert len(shas) == 1
    with store_engine.begin() as c:
        c.execute(
            sa.text("UPDATE consent_events SET action = 'refused' WHERE id = :i"), {"i": ids[1]}
        )
    with sessions() as s:
        broken = ledger.verify(s)
    assert broken is not None and broken.entry_id == ids[1]


def test_support_access_expires_by_itself_after_seven_days(store_engine, consents) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        done = consents.record(s, identifiers=ANNA, action="given", item="support-access")
    assert done.expires_at is not None
    assert timedelta(days=6, hours=23) < done.expires_at - utcnow() <= timedelta(days=7)
    with sessions() as s:
        assert consents.decide(s, identifiers=ANNA, purpose="support-access").allowed
        later = consents.decide(
            s, identifiers=ANNA, purpose="support-access", now=utcnow() + timedelta(days=8)
        )
    assert not later.allowed and later.reason == "expired"
    with transaction(sessions) as s:
        assert consents.expire_due(s, now=utcnow() + timedelta(days=8)) == 1
        assert consents.expire_due(s, now=utcnow() + timedelta(days=8)) == 0
    with sessions() as s:
        assert [e.action for e in consents.history(s, done.subject_id)] == ["given", "expired"]
        assert ledger.verify(s) is None


def test_age_rules_refuse_below_minimum_and_need_a_guardian(store_engine, consents) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as s, pytest.raises(ConsentRuleError) as refused:
        consents.record(
            s,
            identifiers=ANNA,
            action="given",
            item="registration",
            age=12,
            jurisdiction="us-coppa",
        )
    assert refused.value.code == "below-minimum-age"
    with transaction(sessions) as s, pytest.raises(ConsentRuleError) as guardian:
        consents.record(
            s, identifiers=ANNA, action="given", item="registration", age=15, jurisdiction="eu-gdpr"
        )
    assert guardian.value.code == "guardian-required"
    with transaction(sessions) as s:
        done = consents.record(
            s,
            identifiers=ANNA,
            action="given",
            item="registration",
            age=15,
            jurisdiction="eu-gdpr",
            recorded_by="guardian",
            guardian={"email": "parent@example.com"},
        )
    with sessions() as s:
        [event] = consents.history(s, done.subject_id)
        assert event.recorded_by == "guardian"
        assert "guardian_subject_id" in ledger.evidence_of(event)
        assert consents.decide(s, subject_id=done.subject_id, purpose="registration").allowed


def test_reconfirmation_mark_turns_old_consents_into_no_until_given_again(
    store_engine, consents
) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        consents.record(s, identifiers=ANNA, action="given", item="marketing-email")
    with sessions() as s:
        assert consents.decide(s, identifiers=ANNA, purpose="marketing", channel="email").allowed
    with transaction(sessions) as s:
        assert mark_for_reconfirmation(s, ["marketing"], "notice-2") == 1
    with sessions() as s:
        d = consents.decide(s, identifiers=ANNA, purpose="marketing", channel="email")
    assert not d.allowed and d.reason == "reconfirmation-required"
    with transaction(sessions) as s:
        consents.record(
            s, identifiers=ANNA, action="given", item="marketing-email", notice_version="notice-2"
        )
    with sessions() as s:
        assert consents.decide(s, identifiers=ANNA, purpose="marketing", channel="email").allowed


def test_cache_sees_a_withdrawal_written_by_another_service(store_engine, tmp_path, keys) -> None:
    register = shop_register(tmp_path)
    reader, writer = ConsentService(register, keys), ConsentService(register, keys)
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        writer.record(s, identifiers=ANNA, action="given", item="marketing-email")
    with sessions() as s:
        assert reader.decide(s, identifiers=ANNA, purpose="marketing", channel="email").allowed
    with transaction(sessions) as s:
        writer.record(s, identifiers=ANNA, action="withdrawn", item="marketing-email")
    with sessions() as s:
        assert not reader.decide(s, identifiers=ANNA, purpose="marketing", channel="email").allowed


def test_receipt_verifies_against_the_public_key_and_not_when_altered(
    store_engine, consents, keys
) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        done = consents.record(s, identifiers=ANNA, action="given", item="marketing-email")
    with sessions() as s:
        event = s.get(ConsentEvent, done.event_id)
        document = build_receipt(event, consents.register, keys, "https://shop.example/privacy")
    receipt = document["receipt"]
    assert receipt["consentReceiptID"] == done.receipt_id
    assert receipt["piiPrincipalId"] == done.subject_id
    assert receipt["services"][0]["purposes"][0]["purposeId"] == "marketing"
    assert {"jurisdiction", "collectionMethod", "language", "policyUrl", "piiControllers"} <= set(
        receipt
    )
    assert verify_receipt(document, keys.public_key_raw())
    receipt["steward"]["action"] = "refused"
    assert not verify_receipt(document, keys.public_key_raw())


def test_gpc_opts_out_only_where_no_explicit_choice_and_a_later_choice_wins(
    store_engine, consents
) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        subject = ledger.resolve_subject(s, consents.keys, {"visitor": "v1"})
        assert consents.apply_gpc(s, subject) == ["ads"]
        assert consents.apply_gpc(s, subject) == []
    with sessions() as s:
        d = consents.decide(s, subject_id=subject, purpose="ads", channel="web")
        [event] = consents.history(s, subject)
    assert not d.allowed and event.method == "gpc"
    with transaction(sessions) as s:
        consents.record_choices(
            s,
            subject_id=subject,
            choices={"ads": True},
            method="banner",
            lang="en",
            notice_version=None,
            artefact_sha256=None,
        )
    with sessions() as s:
        assert consents.decide(s, subject_id=subject, purpose="ads", channel="web").allowed


def test_bad_input_gets_a_clear_error_and_records_nothing(store_engine, consents) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as s, pytest.raises(ConsentRuleError, match="no consent item"):
        consents.record(s, identifiers=ANNA, action="given", item="nope")
    with transaction(sessions) as s, pytest.raises(ValueError, match="Unknown identifier kind"):
        consents.record(s, identifiers={"passport": "x"}, action="given", item="registration")
    with transaction(sessions) as s, pytest.raises(ValueError, match="action must be"):
        consents.record(s, identifiers=ANNA, action="maybe", item="registration")
    with sessions() as s:
        assert s.scalar(sa.text("SELECT count(*) FROM consent_events")) == 0


def test_a_rolled_back_consent_is_never_answered_from_the_cache(store_engine, consents) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as s:
        consents.record(s, identifiers=ANNA, action="given", item="marketing-calls")
    with sessions() as s:
        assert not consents.decide(
            s, identifiers=ANNA, purpose="marketing", channel="email"
        ).allowed
    session = sessions()
    with session.begin():
        consents.record(session, identifiers=ANNA, action="given", item="marketing-email")
        inside = consents.decide(session, identifiers=ANNA, purpose="marketing", channel="email")
        session.rollback()
    session.close()
    assert inside.allowed  # the writer sees its own write
    with sessions() as s:
        after = consents.decide(s, identifiers=ANNA, purpose="marketing", channel="email")
    assert not after.allowed and after.reason == "no-consent"
