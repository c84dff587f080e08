"""Breach notification clocks on pinned dates, each duty with its citation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.law.breaches import (
    DUTIES,
    BreachTimeError,
    breach_clocks,
    check_times,
    clock_for,
    duty,
)

MOSCOW = ZoneInfo("Europe/Moscow")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def _by_id(clocks):  # type: ignore[no-untyped-def]
    return {c.duty.id: c for c in clocks}


def test_rkn_first_notice_detected_friday_night_is_due_saturday_night() -> None:
    detected = datetime(2026, 11, 27, 23, 0, tzinfo=MOSCOW)  # a Friday
    clocks = _by_id(breach_clocks(["ru-152fz"], detected_at=detected))
    first = clocks["rkn-first-notice"]
    assert first.due is not None
    assert first.due.astimezone(MOSCOW) == datetime(2026, 11, 28, 23, 0, tzinfo=MOSCOW)
    assert first.duty.citation == "152-FZ Art. 21 p.3.1(1)"
    results = clocks["rkn-investigation-results"]
    assert results.due is not None
    assert results.due.astimezone(MOSCOW) == datetime(2026, 11, 30, 23, 0, tzinfo=MOSCOW)


def test_lgpd_three_business_days_skip_black_awareness_day() -> None:
    detected = datetime(2026, 11, 19, 10, 0, tzinfo=SAO_PAULO)  # Thursday; Friday 20 is a holiday
    clocks = _by_id(breach_clocks(["br-lgpd"], detected_at=detected))
    for duty_id in ("anpd-authority", "anpd-subjects"):
        due = clocks[duty_id].due
        assert due is not None
        assert due.astimezone(SAO_PAULO).date().isoformat() == "2026-11-25", duty_id
        assert due.tzinfo is UTC


def test_gdpr_authority_72_hours_and_subjects_only_when_high_risk() -> None:
    detected = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    unknown = _by_id(breach_clocks(["eu-gdpr"], detected_at=detected))
    assert unknown["gdpr-authority"].due == detected + timedelta(hours=72)
    assert (
        unknown["gdpr-subjects"].applies is None
        and "assess the risk" in unknown["gdpr-subjects"].note
    )
    low = _by_id(breach_clocks(["eu-gdpr"], detected_at=detected, high_risk=False))
    assert low["gdpr-subjects"].applies is False
    high = _by_id(breach_clocks(["eu-gdpr"], detected_at=detected, high_risk=True))
    assert high["gdpr-subjects"].applies is True and high["gdpr-subjects"].due is None
    assert high["gdpr-subjects"].note == "without undue delay"


def test_california_residents_30_days_and_the_attorney_general_after_500() -> None:
    detected = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
    waiting = _by_id(breach_clocks(["us-ccpa"], detected_at=detected, residents_affected=501))
    assert waiting["ca-residents"].due == datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert waiting["ca-attorney-general"].due is None
    assert "starts when the subjects are notified" in waiting["ca-attorney-general"].note
    notified = datetime(2026, 2, 10, 8, 0, tzinfo=UTC)
    clocks = _by_id(
        breach_clocks(
            ["us-ccpa"],
            detected_at=detected,
            residents_affected=501,
            subjects_notified_at=notified,
        )
    )
    assert clocks["ca-attorney-general"].due == notified + timedelta(days=15)
    few = _by_id(breach_clocks(["us-ccpa"], detected_at=detected, residents_affected=500))
    assert few["ca-attorney-general"].applies is False


def test_uk_ico_72_hours() -> None:
    detected = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    (ico,) = [c for c in breach_clocks(["uk-gdpr"], detected_at=detected) if c.duty.id == "uk-ico"]
    assert ico.due == detected + timedelta(hours=72)


def test_a_detection_in_the_future_or_before_the_breach_is_refused() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(BreachTimeError, match="in the future"):
        check_times(now + timedelta(hours=1), None, now=now)
    with pytest.raises(BreachTimeError, match="after detected_at"):
        check_times(now - timedelta(hours=2), now - timedelta(hours=1), now=now)
    with pytest.raises(BreachTimeError, match="time zone"):
        check_times(datetime(2026, 12, 1, 10, 0), None, now=now)
    check_times(now - timedelta(hours=1), now - timedelta(days=3), now=now)


@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(UTC)
    ),
    st.sampled_from([d for d in DUTIES if d.fixed]),
)
def test_every_fixed_clock_falls_after_its_start(detected: datetime, chosen) -> None:  # type: ignore[no-untyped-def]
    clock = clock_for(chosen, detected_at=detected, subjects_notified_at=detected)
    assert clock.due is not None and clock.due > detected
    if chosen.business_days:
        assert clock.due - detected <= timedelta(days=chosen.business_days + 12)


def test_every_duty_has_a_citation_and_is_found_by_id() -> None:
    for each in DUTIES:
        assert each.citation and duty(each.id) is each
    with pytest.raises(KeyError):
        duty("nope")


def test_the_clocks_refusals_are_told_errors_with_their_values_apart() -> None:
    from steward.lib import i18n

    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(BreachTimeError) as refused:
        check_times(now - timedelta(hours=2), now - timedelta(hours=1), now=now)
    assert isinstance(refused.value, i18n.Told)
    assert "after detected_at" in str(refused.value)
    assert "позже detected_at" in i18n.told(refused.value, "ru")
    with pytest.raises(KeyError) as unknown:
        duty("nope")
    assert isinstance(unknown.value, i18n.Told) and str(unknown.value).startswith("no breach duty")
    assert i18n.told(unknown.value, "ru").startswith("обязанности уведомления «nope» нет")
