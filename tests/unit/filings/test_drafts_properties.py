"""Properties of the Roskomnadzor drafts over generated edits of the seed registers."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from steward.filings.rkn import changed_fields, intention_draft, transfer_draft
from steward.notices.diff import diff_registers
from steward.register import load_register
from steward.register.models import Recipient, Register
from steward.register.taxonomy import RecipientRole, Right

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
RU_OPERATORS = ("activecloud", "almis", "amrcloud", "softvendor")
COUNTRIES = ("RU", "US", "DE", "CN", "KZ", "BY", "IN", "FR")


@cache
def register(operator: str) -> Register:
    return load_register(EXAMPLES / operator / "register.yaml")


def with_recipients(reg: Register, placed: list[tuple[int, str]]) -> Register:
    """``reg`` with one new processor per (purpose index, country)."""
    recipients = list(reg.recipients)
    purposes = list(reg.purposes)
    for n, (index, country) in enumerate(placed):
        rid = f"generated-{n}"
        recipients.append(
            Recipient(id=rid, name=f"Generated {n}", role=RecipientRole.PROCESSOR, country=country)
        )
        at = index % len(purposes)
        purposes[at] = purposes[at].model_copy(
            update={"recipients": [*purposes[at].recipients, rid]}
        )
    return reg.model_copy(update={"recipients": recipients, "purposes": purposes})


placements = st.lists(
    st.tuples(st.integers(min_value=0, max_value=50), st.sampled_from(COUNTRIES)), max_size=4
)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(RU_OPERATORS), placements)
def test_art12_lists_exactly_the_countries_of_the_recipients_abroad(
    operator: str, placed: list[tuple[int, str]]
) -> None:
    reg = with_recipients(register(operator), placed)
    abroad = sorted({r.country for r in reg.recipients if r.country != "RU"})
    draft = transfer_draft(reg)
    assert (draft is not None) == bool(abroad)
    assert intention_draft(reg).fields["countries"] == abroad
    if draft is not None:
        assert draft.fields["countries"] == abroad


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(RU_OPERATORS), placements)
def test_the_diff_of_two_drafts_is_empty_exactly_when_they_are_equal(
    operator: str, placed: list[tuple[int, str]]
) -> None:
    before = intention_draft(register(operator))
    after = intention_draft(with_recipients(register(operator), placed))
    changes = changed_fields(before.fields, after.fields)
    assert (changes == []) == (before.sha256 == after.sha256)
    assert changed_fields(after.fields, after.fields) == []
    new_countries = {c for _, c in placed if c != "RU"} - set(before.fields["countries"])
    assert ("countries" in {c["field"] for c in changes}) == bool(new_countries)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_removing_any_declared_right_is_material(data: st.DataObject) -> None:
    reg = register("amrcloud")
    requests = reg.policy.requests
    assert requests is not None and requests.rights
    removed = data.draw(st.sets(st.sampled_from(requests.rights), min_size=1))
    kept: list[Right] = [r for r in requests.rights if r not in removed]
    narrowed = reg.model_copy(
        update={
            "policy": reg.policy.model_copy(
                update={"requests": requests.model_copy(update={"rights": kept})}
            )
        }
    )
    changes = diff_registers(reg, narrowed)
    gone = {c.old for c in changes if c.kind == "policy-right-removed" and c.material}
    assert gone == {r.value for r in removed}
