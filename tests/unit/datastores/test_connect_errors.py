"""A datastore URL that is wrong says so plainly, and never repeats the password it holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.datastores import ConnectionFailed, SchemaMismatch
from steward.datastores.connect import datastore_engine, datastore_url, reflect
from steward.register import load_register

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo" / "register.yaml"


@pytest.mark.parametrize(
    "url",
    ["not a url", "oracle://scott:tiger-secret@db.example/orcl", "http://u:tiger-secret@x/y"],
)
def test_a_url_steward_cannot_use_is_refused_before_connecting(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    datastore = load_register(DEMO).datastores[0]
    monkeypatch.setenv(datastore.connection.env or "", url)
    with pytest.raises(SchemaMismatch) as refused:
        datastore_url(datastore)
    message = str(refused.value)
    assert "is not a PostgreSQL, MariaDB/MySQL or SQLite database URL" in message
    assert datastore.connection.env in message and "tiger-secret" not in message


def test_a_server_that_is_not_there_is_named_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    datastore = load_register(DEMO).datastores[0]
    monkeypatch.setenv(
        datastore.connection.env or "", "postgresql://app:tiger-secret@127.0.0.1:1/shop"
    )
    engine = datastore_engine(datastore)
    with pytest.raises(ConnectionFailed) as failed:
        reflect(engine, datastore)
    message = str(failed.value)
    assert "cannot connect to 127.0.0.1:1/shop" in message
    assert "tiger-secret" not in message and "app" not in message.split("cannot connect")[1]
    assert failed.value.retryable
