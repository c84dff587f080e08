import threading
from pathlib import Path

from steward.config import Settings
from steward.consent import ledger
from steward.consent.identity import ConsentKeys
from steward.consent.service import ConsentService
from steward.store.db import session_factory, transaction

from ...consent_registers import shop_register


def test_concurrent_writers_never_fork_the_chain(store_engine, tmp_path: Path) -> None:
    consents = ConsentService(
        shop_register(tmp_path), ConsentKeys.from_settings(Settings(dev=True))
    )
    sessions = session_factory(store_engine)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(25):
                with transaction(sessions) as s:
                    consents.record(
                        s,
                        identifiers={"account-id": f"{worker}-{n}"},
                        action="given",
                        item="marketing-email",
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sessions() as s:
        assert ledger.verify(s) is None
        assert sum(1 for _ in ledger.events(s)) == 100
