"""A real SMTP server (aiosmtpd) in a thread, recording what it receives.

    with running_inbox() as inbox:
        ... product sends to inbox.url ...
        inbox.wait(2)                       # the first two messages, or fail after a timeout
        inbox.body(0), inbox.connections

``inbox.refuse`` holds recipients answered with 550 (a permanent refusal), ``inbox.defer``
recipients answered with 451 (try later).
"""

from __future__ import annotations

import email
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.peers: set[Any] = set()
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.url = ""
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        if address in self.defer:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        with self._lock:
            self.peers.add(session.peer)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    @property
    def connections(self) -> int:
        return len(self.peers)

    def wait(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, (
            f"the SMTP server received {len(self.messages)} message(s), expected {count}: "
            f"{[m['Subject'] for m in self.messages]}"
        )
        return self.messages[:count]

    def body(self, index: int) -> str:
        part = self.messages[index].get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


@contextmanager
def running_inbox() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{controller.port}"
    try:
        yield inbox
    finally:
        controller.stop()
