"""The request state machine: which state may follow which, and the errors for the rest.

received -> verifying -> verified -> in-progress -> (awaiting-approval) -> completed
any open state -> rejected (with a reason) | withdrawn
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from steward.lib.i18n import N_, Told


class State(StrEnum):
    RECEIVED = "received"
    VERIFYING = "verifying"
    VERIFIED = "verified"
    IN_PROGRESS = "in-progress"
    AWAITING_APPROVAL = "awaiting-approval"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


S = State
STATE_NAMES: Final[dict[str, str]] = {
    "received": N_("received"),
    "verifying": N_("verifying"),
    "verified": N_("verified"),
    "in-progress": N_("in-progress"),
    "awaiting-approval": N_("awaiting-approval"),
    "completed": N_("completed"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
}
"""Each state as pages show it (the code in English; the catalogue translates it)."""
CLOSED: Final = frozenset({S.COMPLETED, S.REJECTED, S.WITHDRAWN})
OPEN: Final = frozenset(State) - CLOSED

ALLOWED: Final[dict[State, frozenset[State]]] = {
    S.RECEIVED: frozenset({S.VERIFYING, S.VERIFIED, S.REJECTED, S.WITHDRAWN}),
    S.VERIFYING: frozenset({S.VERIFIED, S.REJECTED, S.WITHDRAWN}),
    S.VERIFIED: frozenset({S.IN_PROGRESS, S.REJECTED, S.WITHDRAWN}),
    S.IN_PROGRESS: frozenset({S.AWAITING_APPROVAL, S.COMPLETED, S.REJECTED, S.WITHDRAWN}),
    S.AWAITING_APPROVAL: frozenset({S.IN_PROGRESS, S.COMPLETED, S.REJECTED, S.WITHDRAWN}),
    S.COMPLETED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


class RequestError(Told, ValueError):
    """A request operation that cannot be done; the message says why and what would work. A
    message a subject may read is marked ``N_`` with its values apart
    (``RequestError(N_("... %(kind)s ..."), kind=kind)``): ``i18n.told(exc, lang)``."""

    code = "invalid"


class InvalidTransition(RequestError):
    code = "invalid_transition"

    def __init__(self, current: str, wanted: str) -> None:
        allowed = ", ".join(sorted(ALLOWED[State(current)])) or "none (the request is closed)"
        super().__init__(
            f"a request in state '{current}' cannot move to '{wanted}'; allowed: {allowed}"
        )


def check_transition(current: str, wanted: str) -> State:
    try:
        target = State(wanted)
    except ValueError:
        raise RequestError(
            N_("'%(state)s' is not a request state; states: %(states)s"),
            state=wanted[:40],
            states=", ".join(s.value for s in State),
        ) from None
    if target not in ALLOWED[State(current)]:
        raise InvalidTransition(current, wanted)
    return target
