from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from steward.ledger.audit import verify
from steward.notify.outbox import OutboxMessage
from steward.register import load_register
from steward.requests import service, verification
from steward.requests.attachments import AttachmentRefused, check_attachment
from steward.requests.fulfil import Actor, Fulfilment
from steward.requests.service import Intake
from steward.requests.states import InvalidTransition, RequestError
from steward.requests.tables import RequestPause, SubjectRequest
from steward.store.db import session_factory, transaction

from ...conftest import EXAMPLES

SECRET = "test-secret"
DEMO = load_register(EXAMPLES / "demo" / "register.yaml")
SOFTVENDOR = load_register(EXAMPLES / "softvendor" / "register.yaml")
APRIL_28 = datetime(2026, 4, 28, 9, 0, tzinfo=UTC)


def _count(session, table) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(table)) or 0


def test_access_request_under_152fz_and_gdpr_falls_due_by_the_russian_calendar(
    store_engine: sa.Engine,
) -> None:
    with transaction(session_factory(store_engine)) as session:
        request = service.file_request(
            session, DEMO, Intake(kind="access", email="Anna@Example.com"), now=APRIL_28
        )
        assert request.email == "anna@example.com"
        assert request.due_on == date(2026, 5, 14)
        assert request.clock_jurisdiction == "ru-152fz"
        assert "152-FZ Art. 14 p.3" in request.clock_rule
        mail = session.scalars(select(OutboxMessage)).one()
        assert mail.kind == "request.receipt" and "2026-05-14" in mail.body_text


def _proved(session, intake: Intake, *names: str):

    filed = service.file_request(session, DEMO, intake)
    if names:
        verification.prove(session, filed, names, how="agent", actor="agent", register=DEMO)
    return filed


def test_a_request_filed_with_someone_elses_address_never_hides_theirs(
    store_engine: sa.Engine,
) -> None:
    with transaction(session_factory(store_engine)) as session:
        fake = _proved(session, Intake(kind="erasure", email="victim@example.com"))
        real = _proved(session, Intake(kind="erasure", email="Victim@example.com"), "email")
        assert fake.duplicate_of is None and real.duplicate_of is None
        ids = [row.request.id for row in service.queue(session)]
        assert fake.id in ids and real.id in ids
        service.transition(session, fake, "rejected", actor="agent", why="not the subject")
        assert real.state == "verified" and real.duplicate_of is None


def test_verified_requests_sharing_a_proven_identifier_are_linked_and_counted_once(
    store_engine: sa.Engine,
) -> None:
    with transaction(session_factory(store_engine)) as session:
        first = _proved(session, Intake(kind="erasure", email="a@example.com"), "email")
        second = _proved(
            session, Intake(kind="erasure", email="A@example.com", phone="+79123456789"), "email"
        )
        other = _proved(session, Intake(kind="access", email="a@example.com"), "email")
        assert second.duplicate_of == first.id and other.duplicate_of is None
        ids = [row.request.id for row in service.queue(session)]
        assert ids.count(first.id) == 1 and second.id not in ids
        service.transition(session, first, "in-progress", actor="agent")
        service.transition(session, first, "completed", actor="agent", why="erased", gate=True)
        assert second.state == "completed" and second.outcome == f"answered with {first.reference}"
        assert other.state == "verified"


@pytest.mark.parametrize("closing", ["rejected", "withdrawn"])
def test_rejecting_an_original_never_rejects_its_duplicate(
    store_engine: sa.Engine, closing: str
) -> None:
    with transaction(session_factory(store_engine)) as session:
        first = _proved(session, Intake(kind="access", email="a@example.com"), "email")
        second = _proved(session, Intake(kind="access", email="a@example.com"), "email")
        assert second.duplicate_of == first.id
        service.transition(session, first, closing, actor="agent", why="asked by phone")
        assert second.state == "verified" and second.duplicate_of is None
        assert second.id in [row.request.id for row in service.queue(session)]


def test_a_duplicate_that_proved_more_than_its_original_searched_stays_open(
    store_engine: sa.Engine,
) -> None:
    with transaction(session_factory(store_engine)) as session:
        first = _proved(session, Intake(kind="access", email="a@example.com"), "email")
        second = _proved(
            session, Intake(kind="access", email="a@example.com", account_id="77"), "email"
        )

        verification.prove(
            session, second, ["account-id"], how="agent", actor="agent", register=DEMO
        )
        service.transition(session, first, "in-progress", actor="agent")
        service.transition(session, first, "completed", actor="agent", why="sent", gate=True)
        assert second.state == "verified" and second.duplicate_of is None


@pytest.mark.parametrize(
    ("intake", "message"),
    [
        (Intake(kind="teleport", email="a@example.com"), "not a kind"),
        (Intake(kind="access", email="not an email"), "e-mail address is not valid"),
        (Intake(kind="access", phone="12"), "telephone number is not valid"),
        (Intake(kind="access"), "at least one identifier"),
        (Intake(kind="access", email="a@example.com", jurisdiction="mars"), "not a jurisdiction"),
        (Intake(kind="opt-out-sale", email="a@example.com"), "not available"),
    ],
)
def test_bad_intake_is_refused_with_a_clear_message_and_stores_nothing(
    store_engine: sa.Engine, intake: Intake, message: str
) -> None:
    sessions = session_factory(store_engine)
    with pytest.raises(RequestError, match=message), transaction(sessions) as session:
        service.file_request(session, DEMO, intake)
    with sessions() as session:
        assert _count(session, SubjectRequest.__table__) == 0


def test_softvendor_requires_a_signed_scan_checked_by_content(store_engine: sa.Engine) -> None:
    with transaction(session_factory(store_engine)) as session:
        with pytest.raises(RequestError, match="signature"):
            service.file_request(session, SOFTVENDOR, Intake(kind="access", email="a@example.com"))
        with pytest.raises(AttachmentRefused, match="not a PDF"):
            check_attachment("scan.pdf", b"MZ\x90\x00 this is an executable")
        with pytest.raises(AttachmentRefused, match="limit"):
            check_attachment("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, max_bytes=50)
        scan = check_attachment("../../scan.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n")
        request = service.file_request(
            session, SOFTVENDOR, Intake(kind="access", email="a@example.com", attachment=scan)
        )
        assert request.due_on == date(2026, 5, 14) or request.due_on is not None


def test_code_verifies_once_and_locks_after_wrong_tries(store_engine: sa.Engine) -> None:
    sessions = session_factory(store_engine)
    with transaction(sessions) as session:
        request = service.file_request(session, DEMO, Intake(kind="access", email="a@example.com"))
        code = verification.issue_code(session, request, SECRET)
        assert code is not None and request.state == "verifying"
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(verification.MAX_ATTEMPTS - 1):
            assert (
                verification.verify_code(session, request, wrong, SECRET, register=DEMO) == "wrong"
            )
        assert verification.verify_code(session, request, wrong, SECRET, register=DEMO) == "locked"
        # Even the right code fails once locked.
        assert verification.verify_code(session, request, code, SECRET, register=DEMO) == "locked"
        fresh = verification.issue_code(session, request, SECRET)
        assert fresh is not None
        assert verification.verify_code(session, request, fresh, SECRET, register=DEMO) == "ok"
        assert request.state == "verified" and request.verified_by == "email-code"
        # Replaying the used code is refused.
        assert verification.verify_code(session, request, fresh, SECRET, register=DEMO) == "expired"
        assert verify(session) is None


def test_codes_are_rate_limited_per_request(store_engine: sa.Engine) -> None:
    with transaction(session_factory(store_engine)) as session:
        request = service.file_request(session, DEMO, Intake(kind="access", email="a@example.com"))
        for _ in range(verification.MAX_CODES_PER_HOUR):
            verification.issue_code(session, request, SECRET)
        with pytest.raises(verification.TooManyCodes):
            verification.issue_code(session, request, SECRET)


def test_operator_assertion_vouches_only_for_its_own_subject(store_engine: sa.Engine) -> None:
    with transaction(session_factory(store_engine)) as session:
        request = service.file_request(session, DEMO, Intake(kind="access", email="a@example.com"))
        other = verification.assertion_token("op", email="b@example.com", account_id=None)
        with pytest.raises(RequestError, match="another subject"):
            verification.verify_assertion(session, request, other, "op", register=DEMO)
        forged = verification.assertion_token("wrong", email="a@example.com", account_id=None)
        with pytest.raises(RequestError, match="not validly signed"):
            verification.verify_assertion(session, request, forged, "op", register=DEMO)
        good = verification.assertion_token("op", email="a@example.com", account_id=None)
        verification.verify_assertion(session, request, good, "op", register=DEMO)
        assert request.verified_by == "operator-assertion"


def test_state_machine_refuses_skips_and_needs_reasons(store_engine: sa.Engine) -> None:
    with transaction(session_factory(store_engine)) as session:
        request = service.file_request(session, DEMO, Intake(kind="access", email="a@example.com"))
        with pytest.raises(InvalidTransition, match="cannot move to 'completed'"):
            service.transition(session, request, "completed", actor="agent")
        with pytest.raises(RequestError, match="needs a reason"):
            service.transition(session, request, "rejected", actor="agent", why=" ")
        service.transition(session, request, "rejected", actor="agent", why="not our customer")
        with pytest.raises(InvalidTransition, match="closed"):
            service.transition(session, request, "verified", actor="agent")
        actions = [e.action for e in service.timeline(session, request)]
        assert actions == ["file", "to-rejected"]


def test_extension_once_with_reason_and_pause_only_where_the_law_allows(
    store_engine: sa.Engine,
) -> None:
    with transaction(session_factory(store_engine)) as session:
        request = service.file_request(
            session, DEMO, Intake(kind="access", email="a@example.com"), now=APRIL_28
        )
        service.extend(
            session,
            request,
            reason="large archive",
            actor="dpo",
            register=DEMO,
            today=date(2026, 5, 5),
        )
        assert request.due_on == date(2026, 5, 21)
        with pytest.raises(RequestError, match="already extended"):
            service.extend(session, request, reason="again", actor="dpo", register=DEMO)
        with pytest.raises(RequestError, match="cannot stop"):
            service.pause(session, request, reason="waiting", actor="dpo", register=DEMO)
        uk = service.file_request(
            session, DEMO, Intake(kind="access", email="b@example.com", jurisdiction="uk-gdpr")
        )
        # The strictest rule is still 152-FZ, but UK GDPR lets its own clock stop.
        service.pause(session, uk, reason="awaiting clarification", actor="dpo", register=DEMO)
        assert session.scalars(select(RequestPause)).one().citation.startswith("UK GDPR")


def test_completion_of_an_attached_result_mails_a_link(store_engine: sa.Engine) -> None:
    sessions = session_factory(store_engine)
    fulfil = Fulfilment(sessions, None, SECRET, "http://x")
    with transaction(sessions) as session:
        request = service.file_request(session, DEMO, Intake(kind="access", email="a@example.com"))
        request_id = request.id
    with pytest.raises(RequestError, match="not verified"):
        fulfil.execute(request_id, Actor("agent"))
    with transaction(sessions) as session:
        request = service.get(session, request_id)
        verification.prove(session, request, ["email"], how="agent", actor="agent", register=DEMO)
    link = fulfil.complete(
        request_id, Actor("agent"), "done", result_file=(b'{"users": []}', "application/json")
    )
    assert link and link.startswith("http://x/privacy/requests/result/")
    with sessions() as session:
        request = service.get(session, request_id)
        assert request.state == "completed" and request.result == b'{"users": []}'
        last = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert last is not None and link in last.body_text


def test_queue_flags_overdue_and_due_soon_and_reminds_assignees(store_engine: sa.Engine) -> None:
    with transaction(session_factory(store_engine)) as session:
        late = service.file_request(
            session, DEMO, Intake(kind="access", email="a@example.com"), now=APRIL_28
        )
        fresh = service.file_request(session, DEMO, Intake(kind="access", email="b@example.com"))
        service.assign(session, late, assignee="agent@example.com", actor="dpo")
        rows = service.queue(session, today=date(2026, 5, 15))
        assert rows[0].request.id == late.id and rows[0].overdue and rows[0].days_left == -1
        assert [
            r.request.id for r in service.queue(session, today=date(2026, 5, 15), overdue_only=True)
        ] == [late.id]
        assert service.send_reminders(session, today=date(2026, 5, 15)) == 1
        assert service.send_reminders(session, today=date(2026, 5, 15)) == 0
        assert fresh.id in [r.request.id for r in rows]
        soon = service.queue(session, today=date(2026, 5, 12))
        assert soon[0].due_soon and not soon[0].overdue
    _ = timedelta


def test_day_of_receipt_is_counted_in_the_operators_time_zone(store_engine: sa.Engine) -> None:
    late_evening_utc = datetime(2026, 4, 27, 22, 30, tzinfo=UTC)  # 01:30 on 28 April in Moscow
    with transaction(session_factory(store_engine)) as session:
        moscow = service.file_request(
            session,
            DEMO,
            Intake(kind="access", email="a@example.com"),
            now=late_evening_utc,
            zone="Europe/Moscow",
        )
        utc = service.file_request(
            session, DEMO, Intake(kind="access", email="b@example.com"), now=late_evening_utc
        )
        assert moscow.received_on == date(2026, 4, 28) and moscow.due_on == date(2026, 5, 14)
        assert utc.received_on == date(2026, 4, 27) and utc.due_on < moscow.due_on
        with pytest.raises(RequestError, match="IANA"):
            service.file_request(
                session, DEMO, Intake(kind="access", email="c@example.com"), zone="Mars/Base"
            )


def test_a_new_result_voids_the_old_link(store_engine: sa.Engine) -> None:
    from steward.requests import links

    sessions = session_factory(store_engine)
    fulfil = Fulfilment(sessions, None, SECRET, "http://x")
    with transaction(sessions) as session:
        request = service.file_request(session, DEMO, Intake(kind="access", email="a@example.com"))
        verification.prove(session, request, ["email"], how="agent", actor="agent", register=DEMO)
        service.transition(session, request, "in-progress", actor="agent")
        request_id = request.id
    fulfil.attach(request_id, Actor("agent"), b"1", "application/json")
    with sessions() as session:
        first = service.get(session, request_id).result_nonce
    fulfil.attach(request_id, Actor("agent"), b"2", "application/json")
    with sessions() as session:
        request = service.get(session, request_id)
        assert first and request.result_nonce != first
        token = links.result_token(SECRET, request.id, first)
        assert links.result_claims(SECRET, token, 60) == (request.id, first)
        with pytest.raises(links.LinkError, match="not valid"):
            links.result_claims("another-secret", token, 60)
