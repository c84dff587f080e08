"""The operator's own answer deadline survives an extension when it is stricter than the law:
an extension under the law never pushes the due date past the operator's promise."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from steward.law import RequestKind, calendar_for
from steward.register import load_register
from steward.requests import clock

from ...conftest import EXAMPLES

SOFTVENDOR = load_register(EXAMPLES / "softvendor" / "register.yaml")
RU = calendar_for("RU")


def _with_promise(days: int, working: bool):
    policy = SOFTVENDOR.policy
    assert policy is not None and policy.requests is not None
    promise = policy.requests.answer_within.model_copy(
        update={"days": days, "working_days": working}
    )
    requests = policy.requests.model_copy(update={"answer_within": promise})
    return SOFTVENDOR.model_copy(
        update={"policy": policy.model_copy(update={"requests": requests})}
    )


def _promised(register, received: date) -> date:
    promise = register.policy.requests.answer_within
    if promise.working_days:
        return RU.nth_working_day_after(received, promise.days)
    from datetime import timedelta

    return received + timedelta(days=promise.days)


@settings(max_examples=200, deadline=None)
@given(
    received=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 1)),
    days=st.integers(min_value=1, max_value=40),
    working=st.booleans(),
    kind=st.sampled_from([RequestKind.ACCESS, RequestKind.ERASURE, RequestKind.INFORMATION]),
)
def test_an_extended_request_is_never_due_after_the_operators_promise(
    received: date, days: int, working: bool, kind: RequestKind
) -> None:
    register = _with_promise(days, working)
    jurisdictions = clock.applicable(register, None)
    plain = clock.compute(register, jurisdictions, kind, received)
    extended = clock.compute(register, jurisdictions, kind, received, extended=True)
    promised = _promised(register, received)
    assert plain.due is not None and extended.due is not None
    assert plain.due <= promised
    assert extended.due <= promised, extended.rule
    assert extended.due >= plain.due
    # an extension is offered only when it moves the date
    assert plain.extension_allowed == (extended.due > plain.due)
    # the page's rule names the date it sets
    assert extended.rule.startswith(extended.due.isoformat())


def test_softvendors_ten_working_days_leave_no_extension_to_give() -> None:
    received = date(2026, 4, 28)
    jurisdictions = clock.applicable(SOFTVENDOR, None)
    plain = clock.compute(SOFTVENDOR, jurisdictions, RequestKind.ACCESS, received)
    assert plain.due == RU.nth_working_day_after(received, 10) == date(2026, 5, 14)
    assert not plain.extension_allowed
    extended = clock.compute(SOFTVENDOR, jurisdictions, RequestKind.ACCESS, received, extended=True)
    assert extended.due == date(2026, 5, 14)
    assert "operator's promise" in extended.rule
