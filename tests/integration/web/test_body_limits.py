"""Request bodies against a real `steward serve`: capped before they are read into memory,
refused unread when an API call carries no valid credentials, cut off when they trickle.

Each test talks to the server over a raw socket, so nothing in the client (httpx, the test
client) decides what is sent or when; the server's own memory is read from /proc.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time
from pathlib import Path

import pytest

from ...live_server import LiveServer, steward_server

MIB = 1024 * 1024
HUGE = 200 * MIB


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with steward_server(tmp_path_factory.mktemp("live"), body_timeout_seconds="3") as live:
        yield live


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _complete(data: bytes) -> bool:
    """The whole answer is in: its headers and as many body bytes as they declare."""
    head, found, body = data.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return False


def _answer(sock: socket.socket, timeout: float) -> tuple[int, bytes]:
    """The status and what the server sent, read until it closes or ``timeout`` passes."""
    sock.settimeout(timeout)
    data = b""
    try:
        while not _complete(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    if not data.startswith(b"HTTP/1.1 "):
        return 0, data
    return int(data.split(b" ", 2)[1]), data


def _stream_until_answered(sock: socket.socket, total: int, *, chunked: bool) -> int:
    """Send up to ``total`` bytes of body, stopping once the server answers; bytes sent."""
    block = b"0" * MIB
    sent = 0
    while sent < total:
        readable, _, _ = select.select([sock], [], [], 0)
        if readable:
            break
        try:
            sock.sendall(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(block)
    if chunked and sent >= total:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"0\r\n\r\n")
    return sent


@pytest.mark.parametrize(
    ("path", "content_type", "chunked"),
    [
        ("/api/v1/consents/events", "application/json", False),
        ("/api/v1/consents/events", "application/json", True),
        ("/admin/sign-in", "application/x-www-form-urlencoded", False),
        ("/privacy/requests/new", "multipart/form-data; boundary=xyz", True),
    ],
)
def test_a_200_mib_post_is_refused_with_413_and_the_server_does_not_grow(
    server: LiveServer, path: str, content_type: str, chunked: bool
) -> None:
    before = server.peak_rss()
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {server.token}"}
    headers |= {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(HUGE)}
    with _connect(server) as sock:
        sock.sendall(_head("POST", path, headers))
        sent = _stream_until_answered(sock, HUGE, chunked=chunked)
        status, data = _answer(sock, timeout=20)
    grown_mib = (server.peak_rss() - before) / 1024
    assert status == 413, (sent, data[:300])
    assert grown_mib < 48, f"the server grew by {grown_mib:.0f} MiB for one refused body"
    assert sent < HUGE, "the server read the whole body before refusing it"


@pytest.mark.parametrize("authorization", [None, "Bearer stw_" + "x" * 40, "Bearer not-a-token"])
def test_an_api_post_without_valid_credentials_is_refused_before_its_body_is_read(
    server: LiveServer, authorization: str | None
) -> None:
    headers = {"Content-Type": "application/json", "Content-Length": str(MIB // 2)}  # under the cap
    if authorization:
        headers["Authorization"] = authorization
    with _connect(server) as sock:
        sock.sendall(_head("POST", "/api/v1/consents/events", headers) + b'{"subject": ')
        started = time.monotonic()
        status, data = _answer(sock, timeout=8)  # the rest of the body is never sent
    assert status == 401, data[:300]
    assert time.monotonic() - started < 2.5, "the server waited for the body before refusing"
    assert b'"unauthenticated"' in data


@pytest.mark.parametrize(
    ("path", "chunked"),
    [
        ("/admin/requests/1", False),
        ("/admin/requests/1", True),
        ("/admin/settings/tokens", False),
        ("/admin/people/invite", False),
    ],
)
def test_an_admin_post_without_a_session_is_sent_to_sign_in_before_its_body_is_read(
    server: LiveServer, path: str, chunked: bool
) -> None:
    """A staff form (one of them takes a 64 MiB upload) is not read for someone not signed in,
    and the connection is closed, so the rest of the body is never taken in either."""
    headers = {"Content-Type": "multipart/form-data; boundary=xyz"}
    headers |= {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(MIB)}
    first = b"7\r\n--xyz\r\n\r\n" if chunked else b"--xyz\r\n"
    with _connect(server) as sock:
        sock.sendall(_head("POST", path, headers) + first)
        started = time.monotonic()
        status, data = _answer(sock, timeout=8)  # the rest of the body is never sent
        assert status == 303, data[:300]
        assert time.monotonic() - started < 2.5, "the server waited for the body before refusing"
        assert b"location: /admin/sign-in?next=" in data.lower(), data[:300]
        assert b"connection: close" in data.lower(), data[:300]
        sent = _stream_until_answered(sock, 32 * MIB, chunked=chunked)
        sock.settimeout(5)
        try:
            rest = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            rest = b""
    assert rest == b"", "the server kept the connection open after refusing"
    assert sent < 32 * MIB, "the server went on taking the body after it refused"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/sign-in",
        "/admin/sign-in/totp",
        "/admin/password-reset",
        "/admin/password-reset/not-a-token",
        "/admin/invitations/not-a-token",
    ],
)
def test_the_forms_of_people_not_signed_in_are_still_read(server: LiveServer, path: str) -> None:
    body = b"email=a%40b.co&password=x"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body)),
    }
    with _connect(server) as sock:
        sock.sendall(_head("POST", path, headers) + body)
        status, data = _answer(sock, timeout=10)
    # answered by the page itself (a form error, a CSRF refusal), never the sign-in redirect
    assert status != 0 and b"/admin/sign-in?next=" not in data, data[:300]


@pytest.mark.parametrize(
    ("path", "content_type", "with_token"),
    [
        ("/api/v1/consents/events", "application/json", True),
        ("/privacy/requests/new", "application/x-www-form-urlencoded", False),
    ],
)
def test_a_body_trickled_byte_by_byte_is_cut_off_after_the_body_timeout(
    server: LiveServer, path: str, content_type: str, with_token: bool
) -> None:
    headers = {"Content-Type": content_type, "Content-Length": "4000"}
    if with_token:
        headers["Authorization"] = f"Bearer {server.token}"
    started = time.monotonic()
    status, data = 0, b""
    with _connect(server) as sock:
        sock.sendall(_head("POST", path, headers))
        for _ in range(4000):  # one byte every 50 ms: 200 s if nobody stops it
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable:
                status, data = _answer(sock, timeout=2)
                break
            try:
                sock.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                status, data = _answer(sock, timeout=2)
                break
            if time.monotonic() - started > 15:
                break
    elapsed = time.monotonic() - started
    assert status == 408, (round(elapsed, 1), data[:300])
    assert 2.5 < elapsed < 8, f"cut off after {elapsed:.1f} s; the limit is 3 s"


def test_a_small_valid_api_post_still_works(server: LiveServer, tmp_path: Path) -> None:
    import httpx

    answer = httpx.post(
        server.url + "/api/v1/consents/check",
        json={"identifiers": {"email": "a@example.com"}, "purpose": "newsletter"},
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=10,
    )
    assert answer.status_code < 500, answer.text
    assert answer.status_code != 413
