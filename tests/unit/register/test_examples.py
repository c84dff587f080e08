"""The example registers: each passes ``steward check --strict`` and declares what its
operator's policy promises (see the seed policies and OPERATORS.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from steward.register import Register, check_file
from steward.register.duration import Duration
from steward.register.models import Table
from steward.register.taxonomy import (
    ChangeEffect,
    Channel,
    Jurisdiction,
    LegalBasis,
    RequestChannel,
    RetentionStart,
    Right,
    TableAction,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
OPERATORS = ("demo", "amrcloud", "acrcloud", "softvendor", "almis", "activecloud")


def load(name: str) -> Register:
    result = check_file(EXAMPLES / name / "register.yaml", strict=True)
    assert result.register is not None, [p.format() for p in result.problems]
    return result.register


def tables(register: Register) -> dict[str, Table]:
    return {t.name: t for store in register.datastores for t in store.tables}


@pytest.mark.parametrize("name", OPERATORS)
def test_example_passes_strict_check_without_problems(name: str) -> None:
    result = check_file(EXAMPLES / name / "register.yaml", strict=True)
    assert result.problems == []
    assert result.register is not None


def test_every_example_directory_is_checked() -> None:
    found = {p.parent.name for p in EXAMPLES.glob("*/register.yaml")}
    assert found == set(OPERATORS)


@pytest.mark.parametrize("name", [n for n in OPERATORS if n not in ("demo", "acrcloud")])
def test_russian_operators_answer_to_152fz_and_store_data_in_russia(name: str) -> None:
    register = load(name)
    assert Jurisdiction.RU_152FZ in register.operator.jurisdictions
    assert register.datastores
    assert {store.location for store in register.datastores} == {"RU"}


@pytest.mark.parametrize("name", OPERATORS)
def test_datastores_connect_through_environment_variables(name: str) -> None:
    for store in load(name).datastores:
        assert store.connection.env is not None and store.connection.url is None


# amrcloud


def test_amrcloud_declares_account_data_with_hashed_password() -> None:
    register = load("amrcloud")
    users = tables(register)["users"]
    assert users.identity["email"] == "email"
    assert users.columns["password_hash"].category == "account.password"
    assert any(m.id == "password-hashing" for m in register.policy.security)


def test_amrcloud_admin_access_is_a_consent_limited_to_seven_days() -> None:
    items = {i.id: i for i in load("amrcloud").consents.items}
    assert items["admin-access"].time_limit == Duration(days=7)
    assert items["publish-results"].time_limit is None


def test_amrcloud_publishing_and_news_rest_on_consent_but_service_messages_do_not() -> None:
    register = load("amrcloud")
    assert register.purpose("publishing").basis is LegalBasis.CONSENT
    assert register.purpose("news").basis is LegalBasis.CONSENT
    assert register.purpose("service-messages").basis is LegalBasis.CONTRACT
    assert "essential" in register.purpose("service-messages").tags
    channels = {i.purpose: i.channel for i in register.consents.items}
    assert channels["news"] is Channel.EMAIL


def test_amrcloud_shares_show_username_but_never_email() -> None:
    publishing = load("amrcloud").purpose("publishing")
    assert "account.username" in publishing.categories
    assert not any(c.startswith("contact") for c in publishing.categories)


def test_amrcloud_google_analytics_cookies_need_the_visitors_choice() -> None:
    register = load("amrcloud")
    ga = [c for c in register.cookies if c.provider == "Google Analytics"]
    assert {c.name for c in ga} >= {"_ga", "_gid"}
    for cookie in ga:
        purpose = register.purpose(cookie.purpose)
        assert purpose.basis is LegalBasis.CONSENT
        assert any(i.purpose == purpose.id for i in register.consents.items)


def test_amrcloud_shares_with_nobody_and_keeps_everything_in_russia() -> None:
    """ "Administration does not share, sell or give away your personal information to the third
    parties" and "Your personal data is stored in the Russian Federation": no recipient abroad,
    no transfer basis anywhere."""
    register = load("amrcloud")
    assert all(r.country == "RU" for r in register.recipients)
    assert all(r.transfer_basis is None for r in register.recipients)
    assert not any(r.role.value in ("partner", "controller") for r in register.recipients)


def test_amrcloud_promises_rights_email_on_change_and_erasure_on_objection() -> None:
    policy = load("amrcloud").policy
    assert policy.changes is not None and policy.changes.notify == [Channel.EMAIL]
    assert policy.requests is not None
    assert set(policy.requests.rights) >= {
        Right.ACCESS,
        Right.RECTIFICATION,
        Right.ERASURE,
        Right.RESTRICTION,
        Right.OBJECTION,
        Right.WITHDRAW_CONSENT,
    }
    assert policy.requests.erase_on_objection


# acrcloud


def test_acrcloud_has_separate_consent_items_for_marketing_calls_and_emails() -> None:
    register = load("acrcloud")
    marketing = [i for i in register.consents.items if i.purpose == "marketing"]
    assert {i.channel for i in marketing} == {Channel.PHONE, Channel.EMAIL}
    assert len({i.id for i in marketing}) == 2
    assert "essential" in register.purpose("administrative").tags


def test_acrcloud_declares_eleven_purposes_and_its_five_personal_fields() -> None:
    register = load("acrcloud")
    assert len(register.purposes) == 11
    accounts = tables(register)["accounts"]
    held = {spec.category for spec in accounts.columns.values()}
    assert held >= {
        "identity.name",
        "contact.phone",
        "location.country",
        "professional.company",
        "contact.email",
    }


def test_acrcloud_discloses_to_partners_providers_forums_buyer_and_authorities() -> None:
    roles = {r.role for r in load("acrcloud").recipients}
    assert roles >= {"partner", "processor", "public", "acquirer", "authority"}


def test_acrcloud_transfers_to_the_us_have_a_basis() -> None:
    register = load("acrcloud")
    abroad = [r for r in register.recipients if r.country == "US"]
    assert abroad
    assert all(r.transfer_basis is not None for r in abroad)


def test_acrcloud_is_not_for_children_under_14() -> None:
    ages = load("acrcloud").consents.age
    assert [(a.jurisdiction, a.minimum) for a in ages] == [(None, 14)]


def test_acrcloud_does_not_want_sensitive_data_and_shows_last_updated() -> None:
    policy = load("acrcloud").policy
    assert {"special", "criminal"} <= set(policy.unsolicited_categories)
    assert policy.last_updated == date(2018, 5, 25)
    assert policy.changes is not None
    assert policy.changes.effective is ChangeEffect.ON_PUBLICATION


def test_acrcloud_names_cookies_and_pixel_tags() -> None:
    kinds = {c.kind for c in load("acrcloud").cookies}
    assert {"cookie", "pixel"} <= kinds


# softvendor


def test_softvendor_age_rules_follow_coppa_and_the_eu() -> None:
    rules = {a.jurisdiction: a for a in load("softvendor").consents.age}
    assert rules[Jurisdiction.US_COPPA].minimum == 13
    assert rules[Jurisdiction.EU_GDPR].guardian_below == 16


def test_softvendor_registration_consent_covers_transfer_to_third_parties() -> None:
    register = load("softvendor")
    item = next(i for i in register.consents.items if i.id == "registration")
    purpose = register.purpose(item.purpose)
    assert purpose.basis is LegalBasis.CONSENT
    assert purpose.recipients, "the consent covers transfer to third parties"
    assert set(purpose.categories) >= {
        "identity.name",
        "contact.phone",
        "contact.email",
        "device.ip_address",
    }
    assert "third parties" in item.labels["en"]


def test_softvendor_important_notifications_are_part_of_the_service_not_a_consent() -> None:
    """The policy sends important notifications to the e-mail and answers inquiries as part of
    using the software; it never asks a separate consent for them."""
    register = load("softvendor")
    notifications = register.purpose("notifications")
    assert notifications.basis is LegalBasis.CONTRACT
    assert not any(i.purpose == "notifications" for i in register.consents.items)


def test_softvendor_cookie_consent_is_its_own_item() -> None:
    register = load("softvendor")
    cookie_items = [i for i in register.consents.items if i.channel is Channel.WEB]
    assert len(cookie_items) == 1
    assert {c.purpose for c in register.cookies if c.party == "third"} == {cookie_items[0].purpose}


def test_softvendor_requests_are_signed_scans_in_the_software_within_ten_working_days() -> None:
    requests = load("softvendor").policy.requests
    assert requests is not None
    assert requests.signed_document
    assert requests.channels == [RequestChannel.IN_APP]
    assert requests.answer_within is not None
    assert (requests.answer_within.days, requests.answer_within.working_days) == (10, True)
    assert Right.INFORMATION in requests.rights


def test_softvendor_notifies_breaches_by_email_or_phone() -> None:
    breaches = load("softvendor").policy.breaches
    assert breaches is not None
    assert set(breaches.notify_subjects) == {Channel.EMAIL, Channel.PHONE}
    assert breaches.within is None  # "as soon as possible"


# almis


def test_almis_feedback_consent_box_counts_as_written_consent() -> None:
    register = load("almis")
    item = next(i for i in register.consents.items if i.id == "feedback-form")
    assert item.written
    assert item.purpose == "communication"
    assert tables(register)["feedback_messages"].columns["message"].category == "content.messages"


def test_almis_logs_ip_cookies_browser_time_and_page() -> None:
    log = tables(load("almis"))["access_log"]
    held = {spec.category for spec in log.columns.values()}
    assert held == {
        "device.ip_address",
        "device.cookie_id",
        "device.browser",
        "usage.access_time",
        "usage.pages",
    }


def test_almis_transfers_only_to_authorities_and_promises_security_measures() -> None:
    register = load("almis")
    assert [r.role for r in register.recipients] == ["authority"]
    assert {p.id for p in register.purposes} >= {
        "personalised-services",
        "communication",
        "service-improvement",
        "statistics",
    }
    assert len(register.policy.security) == 3
    assert register.policy.last_updated == date(2017, 6, 5)


# activecloud


def test_activecloud_speaks_russian() -> None:
    register = load("activecloud")
    assert "ru" in register.operator.languages
    for purpose in register.purposes:
        assert any("а" <= ch <= "я" for ch in purpose.names["ru"].lower())


def test_activecloud_deletes_call_recordings_after_three_months() -> None:
    calls = tables(load("activecloud"))["call_recordings"]
    assert calls.retention is not None
    assert calls.retention.duration == Duration(months=3)
    assert calls.retention.action is TableAction.DELETE


def test_activecloud_session_recordings_are_held_by_yandex_for_one_week_not_locally() -> None:
    """Webvisor records in Yandex Metrica: the register names Yandex as the processor that holds
    them and declares no local table of recordings (the policy mentions none)."""
    register = load("activecloud")
    purpose = register.purpose("session-recordings")
    retention = purpose.retention
    assert retention is not None and retention.duration == Duration(weeks=1)
    assert retention.from_ is RetentionStart.COLLECTION
    [holder] = [r for r in register.recipients if r.id in purpose.recipients]
    assert holder.id == "yandex" and holder.role.value == "processor"
    assert not any(
        "session-recordings" in t.purposes
        or "usage.session_recording" in {c.category for c in t.columns.values()}
        for t in tables(register).values()
    )


def test_activecloud_keeps_accounting_acts_five_years_under_a_legal_obligation() -> None:
    """An erasure must not delete the acts: a legal-obligation purpose of 5 years holds them."""
    from steward.datastores.holds import legal_purposes

    register = load("activecloud")
    acts = tables(register)["acts"]
    [accounting] = legal_purposes(register, acts)
    assert accounting.retention is not None and accounting.retention.duration == Duration(years=5)
    assert accounting.basis_reference and "402-ФЗ" in accounting.basis_reference


def test_activecloud_transfers_abroad_with_a_basis_and_to_banks_and_authorities() -> None:
    recipients = load("activecloud").recipients
    assert all(r.transfer_basis is not None for r in recipients if r.country != "RU")
    assert {r.id for r in recipients} >= {"yandex", "google", "vendors", "banks", "authorities"}


def test_activecloud_has_no_solely_automated_decisions_and_answers_in_30_days() -> None:
    register = load("activecloud")
    assert register.policy.human_review
    assert not any(p.automated_decision for p in register.purposes)
    requests = register.policy.requests
    assert requests is not None and requests.answer_within is not None
    assert (requests.answer_within.days, requests.answer_within.working_days) == (30, False)
    assert {Right.PORTABILITY, Right.COMPLAINT} <= set(requests.rights)


def test_activecloud_mailings_go_to_clients_only_and_can_be_refused_by_email() -> None:
    register = load("activecloud")
    assert register.purpose("mailings").subjects == ["client"]
    item = next(i for i in register.consents.items if i.purpose == "mailings")
    assert item.channel is Channel.EMAIL
