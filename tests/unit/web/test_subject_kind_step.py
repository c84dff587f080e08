"""The request page offers "Change the subject kind" only where there is a choice to make."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from steward.web.pages.request_steps import next_steps


def _offered(kinds: tuple[tuple[str, str], ...], kind: str | None) -> bool:
    request = SimpleNamespace(
        state="verified", kind="access", verified_at=None, verification_required=False,
        paused_since=None,
    )  # fmt: skip
    steps = next_steps(
        request, carried={}, proven={}, asked=None, preview=None, clock=None,
        can_approve=False, kinds=kinds, kind=kind,
    )  # fmt: skip
    return any(step.action == "subject-kind" for step in steps)


ONE = (("customer", "Customer"),)
TWO = (("customer", "Customer"), ("employee", "Employee"))


@pytest.mark.parametrize(
    ("kinds", "kind", "offered"),
    [
        (ONE, "customer", False),
        (ONE, None, False),  # filed before kinds were recorded: the default, nothing to choose
        (ONE, "former-member", True),  # the register dropped it
        (TWO, "customer", True),
        (TWO, None, True),
        ((), None, False),  # no register loaded
    ],
)
def test_the_step_is_offered_where_there_is_a_choice(
    kinds: tuple[tuple[str, str], ...], kind: str | None, offered: bool
) -> None:
    assert _offered(kinds, kind) is offered
