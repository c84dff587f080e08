"""The request page's next steps: one button per step the request can take now, and the message
shown after each.

Each step posts ``action`` (and ``text``, a file or ticked identifiers where it needs them) to
``POST /admin/requests/{id}``, the same form contract the page always had; this module only
decides which steps are offered and how they are worded. The rules stay where they are: the
state machine (``requests/states.py``) and fulfilment (``requests/fulfil.py``) refuse a step
that is not allowed, whatever the page offers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from steward.lib.i18n import N_
from steward.requests import fulfil
from steward.requests.fulfil import EXECUTABLE
from steward.requests.states import ALLOWED, State


@dataclass(frozen=True, slots=True)
class Step:
    action: str
    label: str  # English, marked for the catalogue; the template translates it
    text: str | None = None  # the text field's label; None: the step takes no text
    text_required: bool = False
    file: bool = False  # a result file (completion)
    identifiers: bool = False  # tick the identifiers checked (agent verification)
    danger: bool = False
    primary: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) posted as ``text``; a select
    chosen: str | None = None  # the choice preselected


DONE: dict[str, str] = {
    "take": N_("Assigned to you."),
    "assign": N_("Assignee changed."),
    "subject-kind": N_("Subject kind changed; the next preview or execution searches for it."),
    "verify": N_("Identity recorded as confirmed; the identifiers you ticked will be searched."),
    "in-progress": N_("Work started."),
    "preview": N_("Preview queued: a worker runs it and rolls it back; this page follows it."),
    "execute": N_(
        "Done: a change to the operator's data now waits for an approver; a read is queued for "
        "a worker; an objection, a withdrawal or an information request is carried out and "
        "the request completed."
    ),
    "approve": N_("Approved: the run is queued."),
    "refuse": N_("Execution refused."),
    "complete": N_("Request completed; the subject is e-mailed if they gave an address."),
    "complete-no-run": N_("Request completed without a run; your reason is recorded."),
    "extend": N_("Deadline extended; the subject is e-mailed if they gave an address."),
    "pause": N_("Clock paused."),
    "resume": N_("Clock resumed."),
    "note": N_("Note added."),
    "rejected": N_("Request rejected; the subject is e-mailed if they gave an address."),
    "withdrawn": N_("Marked as withdrawn by the subject."),
}
"""The message shown after each action succeeded (``?done=<action>``)."""


def next_steps(
    r: Any,
    *,
    carried: dict[str, str],
    proven: dict[str, str],
    asked: Any,
    preview: Any,
    clock: Any,
    can_approve: bool,
    changes: str | None = None,
    kinds: tuple[tuple[str, str], ...] = (),
    kind: str | None = None,
) -> list[Step]:
    """The steps request ``r`` can take now, the likeliest next one first (``primary``).

    ``changes``: the change to the operator's data the request makes once approved
    (``fulfil.data_change``: an erasure for an objection where the register says so).
    ``kinds``: the register's subject kinds (id, name); ``kind``: the one the request is for
    (None for a request filed before kinds were recorded: the register's default)."""
    state = State(r.state)
    nexts = ALLOWED[state]
    if state.value in ("completed", "rejected", "withdrawn"):
        return []
    destructive = changes is not None
    identity_ok = bool(proven) and (r.verified_at or not r.verification_required)
    steps: list[Step] = []
    if carried.keys() - proven.keys():
        steps.append(
            Step(
                "verify",
                N_("Confirm the identity (an agent's check)"),
                text=N_("How you confirmed the subject's identity"),
                text_required=True,
                identifiers=True,
            )
        )
    if state is State.VERIFIED:
        steps.append(Step("in-progress", N_("Start work")))
    if (
        (r.kind in EXECUTABLE or destructive)
        and identity_ok
        and state is not State.AWAITING_APPROVAL
    ):
        steps.append(
            Step("preview", N_("Preview on the databases (dry run)"), text=N_("Note (optional)"))
        )
        if destructive:
            rectify = r.kind == "rectification"
            steps.append(
                Step(
                    "execute",
                    N_(
                        "Ask for approval to execute the erasure the policy attaches to an "
                        "objection"
                    )
                    if r.kind == "objection"
                    else N_("Ask for approval to execute"),
                    text=N_("What to set: one category=value per line")
                    if rectify
                    else N_("Note (optional)"),
                    text_required=rectify,
                )
            )
        else:
            steps.append(
                Step("execute", N_("Execute on the databases"), text=N_("Note (optional)"))
            )
    elif r.kind in fulfil.LEDGER_KINDS and identity_ok and State.COMPLETED in nexts:
        steps.append(
            Step(
                "execute",
                N_("Stop the purposes an objection stops (consent ledger and restriction list), "
                   "then complete")
                if r.kind == "objection"
                else N_("Withdraw every consent in the ledger, schedule the destruction the "
                        "register requires, then complete"),
            )
        )  # fmt: skip
    if r.kind == "information" and identity_ok and State.COMPLETED in nexts:
        steps.append(
            Step(
                "execute",
                N_("Answer from the register's recipients and the disclosure log "
                   "(completes the request)"),
            )
        )  # fmt: skip
    if asked is not None and preview is not None and preview.status == "failed":
        steps.append(Step("execute", N_("Preview again (the attached preview stopped)")))
    if asked is not None and can_approve:
        steps.append(Step("approve", N_("Approve and run"), text=N_("Note (optional)")))
        steps.append(
            Step(
                "refuse",
                N_("Refuse the execution"),
                text=N_("Reason"),
                text_required=True,
                danger=True,
            )
        )
    if State.COMPLETED in nexts and state is not State.AWAITING_APPROVAL:
        steps.append(
            Step(
                "complete",
                N_("Complete after a successful run") if destructive else N_("Complete"),
                text=N_("Outcome, as the subject will read it"),
                file=r.kind in ("access", "portability"),
            )
        )
    if destructive and can_approve and State.COMPLETED in nexts:
        steps.append(
            Step(
                "complete-no-run",
                N_("Complete without a run"),
                text=N_("Why no run is needed"),
                text_required=True,
            )
        )
    if getattr(clock, "extension_allowed", False):
        steps.append(
            Step(
                "extend",
                N_("Extend the deadline"),
                text=N_("Reason, sent to the subject"),
                text_required=True,
            )
        )
    if getattr(clock, "pausable", False) and not r.paused_since:
        steps.append(Step("pause", N_("Pause the clock"), text=N_("Reason"), text_required=True))
    if r.paused_since:
        steps.append(Step("resume", N_("Resume the clock")))
    declared = {value for value, _ in kinds}
    gone = kind is not None and kind not in declared  # None: filed before kinds, the default
    if kinds and (len(kinds) > 1 or gone) and state is not State.AWAITING_APPROVAL:
        steps.append(
            Step(
                "subject-kind",
                N_("Change the subject kind"),
                text=N_("The subject kind this request is for"),
                text_required=True,
                choices=kinds,
                chosen=kind if kind in declared else None,
            )
        )
    steps.append(Step("take", N_("Assign to me")))
    steps.append(Step("assign", N_("Assign to someone"), text=N_("Their e-mail address")))
    steps.append(Step("note", N_("Add a note"), text=N_("Note"), text_required=True))
    if State.REJECTED in nexts:
        steps.append(
            Step(
                "rejected",
                N_("Reject the request"),
                text=N_("Reason, sent to the subject"),
                text_required=True,
                danger=True,
            )
        )
    if State.WITHDRAWN in nexts:
        steps.append(Step("withdrawn", N_("Mark withdrawn by the subject"), danger=True))
    if steps:
        steps[0] = replace(steps[0], primary=True)
    return steps
