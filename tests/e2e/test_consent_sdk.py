"""The SDK against a real server: the polling thread invalidates the cache by itself."""

import time
from pathlib import Path

from steward.client import ConsentClient

from ..integration.consent.conftest import make_app


def test_sdk_poller_sees_a_withdrawal_without_being_asked(serve, tmp_path: Path) -> None:
    app = make_app(tmp_path)
    base = serve(app)
    token = app.state.test_api_token
    with (
        ConsentClient(base, token=token, poll_interval=0.05) as mailer,
        ConsentClient(base, token=token, poll_interval=None) as signup,
    ):
        signup.record("anna@example.com", item="marketing-email", method="web-form")
        assert mailer.may("anna@example.com", "marketing", "email") is True
        signup.withdraw("anna@example.com", item="marketing-email")
        deadline = time.monotonic() + 5
        while mailer.may("anna@example.com", "marketing", "email"):
            assert time.monotonic() < deadline, "the cache never saw the withdrawal"
            time.sleep(0.02)
        assert mailer.may("anna@example.com", "marketing", "phone") is False
