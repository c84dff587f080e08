"""The same identifier typed differently is one value in every place that stores or searches it:
request intake, the datastore search (typed by the subject and stored by the operator), the
consent ledger's digests, accounts, and the outbox's recipient digest."""

from __future__ import annotations

from collections.abc import Iterator

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from steward.accounts.people import create_person, find_person, normalise_email
from steward.config import Settings
from steward.consent.identity import ConsentKeys
from steward.consent.service import ConsentService
from steward.datastores.identity import Identifiers, normalise
from steward.notify.delivery import recipient_digest
from steward.register import Register, load_register
from steward.register.taxonomy import IdentityKind
from steward.requests.service import Intake, file_request
from steward.store.db import make_engine, session_factory, upgrade

from ...conftest import EXAMPLES

REGIONS = ("RU", "CN", "DE", "US", "GB", "FR", "BR", "IN")
SETTINGS = Settings(dev=True)


def _register(region: str) -> Register:
    base = load_register(EXAMPLES / "demo" / "register.yaml")
    return base.model_copy(
        update={"operator": base.operator.model_copy(update={"country": region})}
    )


REGISTERS = {region: _register(region) for region in REGIONS}


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('ids') / 'steward.db'}")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def _respell_case(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(ch.swapcase() if flip else ch for ch, flip in zip(text, flips, strict=True))


SPACE = st.sampled_from(["", " ", "  ", "\t", "\u00a0"])


@st.composite
def typed_emails(draw: st.DrawFn) -> tuple[str, list[str]]:
    address = draw(st.emails())
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        assume(False)
    assume(len(address) < 200)
    spellings = [draw(SPACE) + _respell_case(draw, address) + draw(SPACE) for _ in range(3)]
    return address, spellings


FORMATS = (
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
)


@st.composite
def typed_phones(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    region = draw(st.sampled_from(REGIONS))
    kind = draw(
        st.sampled_from(
            [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
        )
    )
    number = phonenumbers.example_number_for_type(region, kind)
    assume(number is not None and phonenumbers.is_valid_number(number))
    spellings = []
    for _ in range(3):
        text = phonenumbers.format_number(number, draw(st.sampled_from(FORMATS)))
        if draw(st.booleans()):
            text = text.replace(" ", draw(st.sampled_from(["", "-", " ", "."])))
        spellings.append(draw(SPACE) + text + draw(SPACE))
    return region, phonenumbers.format_number(number, FORMATS[0]), spellings


def _one(values: list[object]) -> object:
    assert len(set(values)) == 1, values
    return values[0]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=typed_emails(), region=st.sampled_from(REGIONS))
@example(
    typed=("Straße@Bücher.de", [" Straße@Bücher.DE", "straße@bücher.de\t", "STRAßE@BÜCHER.DE"]),
    region="DE",
)
def test_an_e_mail_typed_differently_is_one_value_everywhere(sessions, typed, region) -> None:
    _, spellings = typed
    register = REGISTERS[region]
    keys = ConsentService(register, ConsentKeys.from_settings(SETTINGS)).keys
    with sessions() as session:  # type: ignore[operator]
        filed = [
            file_request(session, register, Intake(kind="access", email=s)).email for s in spellings
        ]
        canonical = _one(filed)
        person = create_person(
            session, spellings[0], role="agent", password="a long test passphrase 42"
        )
        assert all(find_person(session, s) is person for s in spellings)
        session.rollback()
    assert _one([Identifiers.parse({"email": s}, region).email for s in spellings]) == canonical
    assert _one([normalise(IdentityKind.EMAIL, s, region) for s in spellings]) == canonical
    assert _one([normalise_email(s) for s in spellings]) == canonical
    digests = _one([keys.identifier_digest("email", s) for s in spellings])
    key = SETTINGS.identifier_key()
    assert _one([recipient_digest(key, s) for s in spellings]) == digests


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=typed_phones())
def test_a_phone_typed_differently_is_one_value_everywhere(sessions, typed) -> None:
    region, e164, spellings = typed
    register = REGISTERS[region]
    keys = ConsentService(register, ConsentKeys.from_settings(SETTINGS)).keys
    with sessions() as session:  # type: ignore[operator]
        filed = [
            file_request(session, register, Intake(kind="access", phone=s)).phone for s in spellings
        ]
        session.rollback()
    assert _one(filed) == e164
    assert _one([Identifiers.parse({"phone": s}, region).phone for s in spellings]) == e164
    assert _one([normalise(IdentityKind.PHONE, s, region) for s in spellings]) == e164
    digests = _one([keys.identifier_digest("phone", s) for s in spellings])
    assert digests == keys.identifier_digest("phone", e164)


@settings(max_examples=40, deadline=None)
@given(
    account=st.text(st.characters(categories=["L", "N", "Pd"]), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool),
    before=SPACE,
    after=SPACE,
)
def test_an_account_id_is_kept_as_issued_without_surrounding_space(account, before, after):
    typed = before + account + after
    keys = ConsentKeys.from_settings(SETTINGS)
    assert Identifiers.parse({"account-id": typed}, "RU").account_id == account
    assert normalise(IdentityKind.ACCOUNT_ID, typed, "RU") == account
    assert keys.identifier_digest("account-id", typed) == keys.identifier_digest(
        "account-id", account
    )


def test_requests_and_the_datastore_search_read_a_national_number_in_the_operators_region(
    sessions,
) -> None:
    """A Chinese operator's subject types a Chinese number without +86."""
    register = REGISTERS["CN"]
    keys = ConsentService(register, ConsentKeys.from_settings(SETTINGS)).keys
    national = "138 0013 8000"
    with sessions() as session:  # type: ignore[operator]
        filed = file_request(session, register, Intake(kind="access", phone=national)).phone
        session.rollback()
    assert filed == "+8613800138000"
    assert keys.identifier_digest("phone", national) == keys.identifier_digest("phone", filed)
