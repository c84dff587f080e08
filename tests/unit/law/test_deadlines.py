from datetime import date

import pytest
from typer.testing import CliRunner

from steward.cli import app
from steward.law import (
    LAWS,
    NoDeadline,
    Overlay,
    RequestKind,
    acknowledgement_due,
    calendar_for,
    deadline,
    guardian_consent_below,
    strictest_deadline,
)

RU = "ru-152fz"


def test_152fz_access_skips_the_may_holidays() -> None:
    # 1 May and 11 May 2026 (in lieu of Victory Day on Saturday 9 May) are days off.
    assert deadline(RU, "access", date(2026, 4, 28)).due == date(2026, 5, 14)


def test_152fz_access_received_before_new_year_falls_due_after_the_holidays() -> None:
    due = deadline(RU, "access", date(2025, 12, 29)).due
    # 30 Dec is the only working day left in 2025; 31 Dec 2025 to 11 Jan 2026 are off.
    assert due == date(2026, 1, 22)
    assert not calendar_for("RU").is_working_day(date(2026, 1, 9))


def test_152fz_counts_the_working_saturday_of_1_november_2025() -> None:
    calendar = calendar_for("RU")
    assert calendar.is_working_day(date(2025, 11, 1))
    assert not calendar.is_working_day(date(2025, 11, 3))
    assert deadline(RU, "access", date(2025, 10, 31)).due == date(2025, 11, 17)


def test_152fz_extension_adds_five_working_days_once() -> None:
    extended = deadline(RU, "access", date(2026, 4, 28), extended=True)
    assert extended.due == date(2026, 5, 21)
    assert not extended.extension_allowed
    with pytest.raises(ValueError, match="no extension"):
        deadline(RU, "rectification", date(2026, 4, 28), extended=True)


def test_152fz_rectification_is_seven_working_days_and_withdrawal_thirty_days() -> None:
    assert deadline(RU, "rectification", date(2026, 4, 28)).due == date(2026, 5, 8)
    assert deadline(RU, "withdraw-consent", date(2026, 4, 28)).due == date(2026, 5, 28)


def test_an_overlay_day_off_moves_the_deadline() -> None:
    overlay = Overlay(off={date(2026, 5, 13): "regional holiday"})
    assert deadline(RU, "access", date(2026, 4, 28), overlay=overlay).due == date(2026, 5, 15)


@pytest.mark.parametrize(
    ("received", "due", "extended_due"),
    [
        (date(2026, 3, 3), date(2026, 4, 3), date(2026, 6, 3)),
        (date(2026, 1, 31), date(2026, 2, 28), date(2026, 4, 30)),
        (date(2028, 1, 31), date(2028, 2, 29), date(2028, 4, 30)),
        (date(2026, 12, 15), date(2027, 1, 15), date(2027, 3, 15)),
    ],
)
def test_gdpr_month_ends_on_the_same_date_or_the_months_last_day(
    received: date, due: date, extended_due: date
) -> None:
    assert deadline("eu-gdpr", "access", received).due == due
    assert deadline("eu-gdpr", "access", received, extended=True).due == extended_due


def test_uk_gdpr_clock_starts_at_identity_confirmation_and_stops_for_clarification() -> None:
    found = deadline(
        "uk-gdpr", "access", date(2026, 3, 3), identity_confirmed=date(2026, 3, 10), paused_days=4
    )
    assert found.clock_start == date(2026, 3, 10)
    assert found.due == date(2026, 4, 14)
    with pytest.raises(ValueError, match="clock stop"):
        deadline("eu-gdpr", "access", date(2026, 3, 3), paused_days=4)


def test_ccpa_deadlines() -> None:
    received = date(2026, 11, 20)
    assert deadline("us-ccpa", "access", received).due == date(2027, 1, 4)
    assert deadline("us-ccpa", "access", received, extended=True).due == date(2027, 2, 18)
    # 15 business days skip Thanksgiving (26 Nov) and Christmas (25 Dec).
    assert deadline("us-ccpa", "opt-out-sale", received).due == date(2026, 12, 14)
    assert acknowledgement_due("us-ccpa", received) == date(2026, 12, 7)
    assert acknowledgement_due(RU, received) is None


def test_lgpd_full_access_statement_in_fifteen_days() -> None:
    assert deadline("br-lgpd", "access", date(2026, 6, 1)).due == date(2026, 6, 16)


def test_strictest_rule_wins_and_says_which() -> None:
    found = strictest_deadline([RU, "eu-gdpr"], "access", date(2026, 4, 28))
    assert found.jurisdiction == RU and found.due == date(2026, 5, 14)
    found = strictest_deadline(["us-coppa", "eu-gdpr"], "portability", date(2026, 4, 28))
    assert found.jurisdiction == "eu-gdpr"
    with pytest.raises(NoDeadline):
        strictest_deadline([RU, "us-coppa"], "portability", date(2026, 4, 28))


@pytest.mark.parametrize("jurisdiction", sorted(LAWS))
@pytest.mark.parametrize("kind", list(RequestKind))
def test_every_jurisdiction_and_kind_has_a_deadline_or_says_why_not(
    jurisdiction: str, kind: RequestKind
) -> None:
    rules = LAWS[jurisdiction]
    received = date(2026, 2, 27)
    rule = rules.rule_for(kind)
    if rule is None:
        with pytest.raises(NoDeadline) as caught:
            deadline(jurisdiction, kind, received)
        assert jurisdiction in str(caught.value)
        return
    assert rules.grants(kind), f"{jurisdiction} has a deadline for {kind} but lists no such right"
    found = deadline(jurisdiction, kind, received)
    assert found.due >= received
    assert rule.citation and found.rule is rule
    if rule.extension is not None:
        assert deadline(jurisdiction, kind, received, extended=True).due > found.due


def test_guardian_age_is_the_highest_among_the_jurisdictions() -> None:
    assert guardian_consent_below(["us-coppa", "eu-gdpr"]) == 16
    assert guardian_consent_below(["us-coppa"]) == 13


runner = CliRunner()


def test_cli_prints_the_due_date_and_the_rule() -> None:
    result = runner.invoke(app, ["law", "deadline", RU, "access", "2026-04-28"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2026-05-14: 10 working days")
    assert "152-FZ Art. 14 p.3" in result.stdout


def test_cli_explains_bad_input() -> None:
    result = runner.invoke(app, ["law", "deadline", RU, "access", "28.04.2026"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    result = runner.invoke(app, ["law", "deadline", RU, "portability", "2026-04-28"])
    assert result.exit_code == 1 and "grants no 'portability'" in result.output


def test_cli_show_lists_rights_with_citations() -> None:
    result = runner.invoke(app, ["law", "show", "us-ccpa"])
    assert result.exit_code == 0, result.output
    assert "opt-out-sale" in result.stdout and "10 business days" in result.stdout
