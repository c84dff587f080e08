"""An operator's rule for a channel holds on every channel: softvendor's register requires a
signed scan (``policy.requests.signed_document``), so the API, in-app and e-mail intake refuse a
request without one exactly as the Privacy Center does, and nothing is filed; an operator that
requires no scan accepts the same request without it."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.config import Settings
from steward.requests.tables import RequestAttachment, SubjectRequest
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app

from ...conftest import EXAMPLES
from ...personas import api_token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CHANNELS = ["api", "in-app", "email", "phone", "post"]


def _app(tmp_path: Path, operator: str, **extra):
    url = f"sqlite:///{tmp_path / f'{operator}.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=url, register_path=EXAMPLES / operator / "register.yaml", dev=True, **extra
    )
    return create_app(settings)


def _api(app) -> tuple[TestClient, dict[str, str]]:
    token = api_token(app, {"requests:write"})
    return TestClient(app), {"Authorization": f"Bearer {token}"}


def _counts(app) -> tuple[int, int]:
    with app.state.sessions() as session:
        requests = session.scalar(sa.select(sa.func.count(SubjectRequest.id))) or 0
        files = session.scalar(sa.select(sa.func.count(RequestAttachment.id))) or 0
    return requests, files


def _scan(content: bytes = PDF, name: str = "signed.pdf") -> dict[str, str]:
    return {"filename": name, "content_base64": base64.b64encode(content).decode()}


@pytest.fixture(scope="module")
def softvendor(tmp_path_factory):
    return _app(
        tmp_path_factory.mktemp("softvendor"), "softvendor", requests_attachment_max_bytes=4096
    )


@pytest.mark.parametrize("channel", CHANNELS)
def test_softvendor_refuses_a_request_without_the_signed_scan_on_every_channel(
    softvendor, channel: str
) -> None:
    client, headers = _api(softvendor)
    before = _counts(softvendor)
    answer = client.post(
        "/api/v1/requests",
        json={"kind": "access", "email": "anna@example.com", "channel": channel},
        headers=headers,
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "signed_document_required"
    assert "signature" in answer.json()["error"]["message"]
    assert _counts(softvendor) == before  # nothing filed


@pytest.mark.parametrize("channel", CHANNELS)
def test_softvendor_files_a_request_that_carries_the_scan_and_keeps_it(
    softvendor, channel: str
) -> None:
    client, headers = _api(softvendor)
    answer = client.post(
        "/api/v1/requests",
        json={
            "kind": "access",
            "email": "anna@example.com",
            "channel": channel,
            "attachment": _scan(),
        },
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    reference = answer.json()["reference"]
    with softvendor.state.sessions() as session:
        filed = session.scalars(
            sa.select(SubjectRequest).where(SubjectRequest.reference == reference)
        ).one()
        kept = session.scalars(
            sa.select(RequestAttachment).where(RequestAttachment.request_id == filed.id)
        ).one()
        assert filed.channel == channel
        assert kept.content == PDF and kept.content_type == "application/pdf"


def test_an_operator_without_the_rule_accepts_api_requests_without_a_scan(tmp_path: Path) -> None:
    app = _app(tmp_path, "amrcloud")
    client, headers = _api(app)
    for channel in CHANNELS:
        answer = client.post(
            "/api/v1/requests",
            json={"kind": "access", "email": "anna@example.com", "channel": channel},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
    assert _counts(app) == (len(CHANNELS), 0)


@pytest.mark.parametrize(
    ("attachment", "status", "code", "words"),
    [
        (
            {"filename": "a.pdf", "content_base64": "not base64!!"},
            422,
            "attachment_refused",
            "base64",
        ),
        (_scan(b"MZ\x90\x00 an executable"), 422, "attachment_refused", "not a PDF"),
        (_scan(PDF[:-6]), 422, "attachment_refused", "truncated"),
        (_scan(PNG + b"\x00" * 8192, "big.png"), 413, "too_large", "limit"),
        (_scan(b""), 422, "attachment_refused", "empty"),
    ],
)
def test_a_bad_attachment_gets_a_clear_answer_and_files_nothing(
    softvendor, attachment, status: int, code: str, words: str
) -> None:
    client, headers = _api(softvendor)
    before = _counts(softvendor)
    answer = client.post(
        "/api/v1/requests",
        json={"kind": "access", "email": "anna@example.com", "attachment": attachment},
        headers=headers,
    )
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and words in error["message"], error
    assert _counts(softvendor) == before


def test_a_body_larger_than_the_cap_is_refused_before_it_is_parsed(softvendor) -> None:
    client, headers = _api(softvendor)
    before = _counts(softvendor)
    huge = b'{"kind": "access", "email": "a@example.com", "details": "' + b"x" * 2_000_000 + b'"}'
    answer = client.post(
        "/api/v1/requests",
        content=huge,
        headers={**headers, "content-type": "application/json"},
    )
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"
    assert _counts(softvendor) == before


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=600))
def test_only_real_pdf_jpeg_png_bytes_are_kept(softvendor, content: bytes) -> None:
    """Whatever bytes arrive, a request is filed only when they are a PDF, JPEG or PNG."""
    client, headers = _api(softvendor)
    before = _counts(softvendor)
    answer = client.post(
        "/api/v1/requests",
        json={"kind": "access", "email": "anna@example.com", "attachment": _scan(content)},
        headers=headers,
    )
    real = content.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
        content.startswith(b"%PDF-") and b"%%EOF" in content[-2048:]
    )
    if real:
        assert answer.status_code == 201, answer.text
        assert _counts(softvendor) == (before[0] + 1, before[1] + 1)
    else:
        assert answer.status_code == 422, answer.text
        assert _counts(softvendor) == before
