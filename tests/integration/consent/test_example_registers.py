"""Every example register's consent items work end to end (runs for each register that lands)."""

import gzip

import pytest

from steward.config import Settings
from steward.consent import banner, rules
from steward.consent.identity import ConsentKeys
from steward.consent.service import ConsentService
from steward.register import load_register
from steward.store.db import session_factory, transaction

from ...conftest import EXAMPLES

REGISTERS = sorted(EXAMPLES.glob("*/register.yaml"))


@pytest.mark.parametrize("path", REGISTERS, ids=[p.parent.name for p in REGISTERS])
def test_every_consent_item_can_be_given_checked_and_withdrawn(path, tmp_path) -> None:
    from steward.store.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'steward.db'}")
    upgrade(engine)
    register = load_register(path)
    consents = ConsentService(register, ConsentKeys.from_settings(Settings(dev=True)))
    sessions = session_factory(engine)
    person = {"email": "person@example.com"}
    for item in register.consents.items:
        channel = str(item.channel)
        with transaction(sessions) as s:
            consents.record(s, identifiers=person, action="given", item=item.id, age=40)
        with sessions() as s:
            assert consents.decide(
                s, identifiers=person, purpose=item.purpose, channel=channel
            ).allowed, item.id
        with transaction(sessions) as s:
            consents.record(s, identifiers=person, action="withdrawn", item=item.id)
        with sessions() as s:
            decision = consents.decide(s, identifiers=person, purpose=item.purpose, channel=channel)
            # withdrawn consent, or an objection to another basis, both answer no
            assert not decision.allowed and decision.reason == "withdrawn", item.id
    for lang in register.operator.languages:
        if lang in banner.LANGS:
            config = banner.banner_config(
                register,
                lang=lang,
                endpoint="/consent/choice",
                notice_version="v",
                policy_url=None,
                choices=None,
                gpc_header=True,
            )
            assert (
                len(
                    gzip.compress(
                        banner.script(config, "https://x/consent/banner.css?v=1").encode()
                    )
                )
                < 10 * 1024
            )
    assert set(rules.gpc_purposes(register)) <= {p.id for p in register.purposes}
    engine.dispose()
