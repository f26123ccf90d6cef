"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port), recording what it receives.

The email transport is tested against an actual SMTP conversation rather than a mock of smtplib,
because what matters is how it reads the server's answers at each phase (refused recipient,
deferral, connection lost after the content was sent). The server can be told to answer those.

    with SmtpServer() as server:
        server.refuse("nobody@example.com")           # 550 on RCPT TO
        ...
        server.messages[0].message["Subject"]

In tests, the `smtp_server` fixture gives a started server, stopped afterwards.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

REFUSED = "550 5.1.1 <{address}>: Recipient address rejected: User unknown"
DEFERRED = "451 4.3.0 <{address}>: Temporary lookup failure, try again later"


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes  # exactly the bytes after DATA, dot-unstuffed
    message: EmailMessage


class _Handler:
    """aiosmtpd handler hooks; runs on the server's event loop thread."""

    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self.owner._recipient_replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        received = ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=raw,
            # Parsed with local line ends, as a mailbox stores it, so a part's text compares equal
            # to what was sent; `raw` keeps the wire's CRLF.
            message=email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default),
        )
        with self.owner._lock:
            self.owner.messages.append(received)
        if self.owner._data_delay:
            # Received but not yet acknowledged: the moment a dispatcher killed now leaves unknowable.
            await asyncio.sleep(self.owner._data_delay)
        if self.owner._drop_after_data and isinstance(server.transport, asyncio.Transport):
            # abort(), not close(): close() would still flush the "250" that aiosmtpd writes next,
            # and the point is that the client never learns whether the message was accepted.
            server.transport.abort()
        return self.owner._data_reply


class _Controller(Controller):
    """Binds port 0 (the OS picks a free one, no race) and learns the port before aiosmtpd's
    start-up probe connects to it."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpServer:
    """A local SMTP server whose answers can be programmed per recipient and after DATA."""

    host = "127.0.0.1"

    def __init__(self, *, credentials: tuple[str, str] | None = None, idle_timeout: float = 300) -> None:
        """`idle_timeout`: seconds after which the server closes a silent connection, as real
        servers do with a connection a client keeps open."""
        self.credentials = credentials
        self.idle_timeout = idle_timeout
        self.messages: list[ReceivedMessage] = []
        self._lock = threading.Lock()
        self._recipient_replies: dict[str, str] = {}
        self._data_reply = "250 2.0.0 Ok: queued"
        self._drop_after_data = False
        self._data_delay = 0.0
        self._controller: _Controller | None = None

    # -- programming the answers ---------------------------------------------------------------

    def refuse(self, address: str, reply: str = REFUSED) -> None:
        """Answer RCPT TO for this address with a permanent refusal (550 by default)."""
        self._recipient_replies[address.lower()] = reply.format(address=address)

    def defer(self, address: str, reply: str = DEFERRED) -> None:
        """Answer RCPT TO for this address with a temporary failure (451 by default)."""
        self._recipient_replies[address.lower()] = reply.format(address=address)

    def answer_data_with(self, reply: str) -> None:
        """The reply after the message content (e.g. "554 5.7.1 Rejected as spam")."""
        self._data_reply = reply

    def drop_after_data(self) -> None:
        """Record the message, then cut the connection without answering the content."""
        self._drop_after_data = True

    def delay_data_reply(self, seconds: float) -> None:
        """Record each message, then wait before acknowledging it (a slow server)."""
        self._data_delay = seconds

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
        self._recipient_replies.clear()
        self._data_reply = "250 2.0.0 Ok: queued"
        self._drop_after_data = False
        self._data_delay = 0.0

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._controller is None:
            raise RuntimeError("the SMTP server is not started")
        return int(self._controller.port)

    @property
    def url(self) -> str:
        """The `smtp://` URL the email transport takes (with the credentials when set)."""
        auth = f"{self.credentials[0]}:{self.credentials[1]}@" if self.credentials else ""
        return f"smtp://{auth}{self.host}:{self.port}"

    def start(self) -> SmtpServer:
        options: dict[str, Any] = {}
        if self.credentials:
            # No TLS in tests: AUTH must be offered over plain text. `auth_required` stays off
            # (aiosmtpd warns when it is on without TLS); a client that logs in is still checked.
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = _Controller(
            _Handler(self),
            hostname=self.host,
            port=0,
            server_hostname="smtp.test",  # avoids a reverse DNS lookup at start-up
            ready_timeout=5.0,
            timeout=self.idle_timeout,
            **options,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self.credentials is not None
        expected = LoginPassword(self.credentials[0].encode(), self.credentials[1].encode())
        ok = isinstance(auth_data, LoginPassword) and auth_data == expected
        # handled=False: aiosmtpd then answers the failure itself (535) instead of staying silent.
        return AuthResult(success=ok, handled=False)

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A started local SMTP server, stopped after the test."""
    with SmtpServer() as server:
        yield server
