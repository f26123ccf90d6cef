"""Email through Django's mail machinery: an SMTP server given by URL, or the project's backend.

The outcome must say whether the message may have left (dunning.md, Guarantees), so over SMTP the
conversation is not left to `smtplib.SMTP.sendmail()`: it raises the same `SMTPServerDisconnected`
whether the server went away before MAIL FROM or while we waited for the reply to the content, and
only the first is safe to retry. `PhasedSmtpBackend` keeps Django's connection handling (TLS,
login, timeouts) and sends MAIL, RCPT, DATA and the content one step at a time.

Outcomes over SMTP:
- cannot connect (refused, DNS, timeout), bad greeting, EHLO/HELO or STARTTLS refused: TRANSIENT;
- credentials refused with a 5xx (535): PERMANENT. Retrying with the same credentials cannot
  succeed and repeated failed logins get the account locked by many providers; a person fixes the
  setting. A 4xx (454, temporary authentication failure) is TRANSIENT;
- MAIL FROM or RCPT TO answered 5xx: PERMANENT (`bad_recipient` for RCPT); 4xx: TRANSIENT;
- DATA or the content answered 5xx: PERMANENT; 4xx: TRANSIENT (the server kept nothing);
- the connection lost, or no readable reply, once the content was sent: UNKNOWN;
- a recipient that is not a valid address: PERMANENT with `bad_recipient`, without connecting.

Any other Django backend (the `.eml` outbox by default) counts as delivered once it accepted the
message; an `OSError` from it (disk full) is TRANSIENT.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from email.utils import formataddr
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as DjangoSmtpBackend
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email
from django.utils.module_loading import import_string

from recouvre.messaging.transports.base import Outcome, OutgoingMessage, SendResult

PHASED_SMTP_BACKEND = f"{__name__}.PhasedSmtpBackend"
DEFAULT_TIMEOUT = 30.0
_QUEUE_ID = re.compile(r"queued as\s+<?([^\s>]+)", re.IGNORECASE)


class _Failed(Exception):
    """Carries the outcome out of the SMTP conversation."""

    def __init__(self, result: SendResult, *, drop_connection: bool = False) -> None:
        super().__init__(result.detail)
        self.result = result
        self.drop_connection = drop_connection


def _reply_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {' '.join(text.split())}".strip()


def _refused(code: int, text: bytes | str, *, prefix: str = "", bad_recipient: bool = False) -> SendResult:
    """A server's explicit answer before it took the message: 5xx is final, anything else passes."""
    detail = prefix + _reply_text(code, text)
    if 500 <= code <= 599:
        return SendResult(Outcome.PERMANENT, detail=detail, bad_recipient=bad_recipient)
    return SendResult(Outcome.TRANSIENT, detail=detail)


class PhasedSmtpBackend(DjangoSmtpBackend):
    """Django's SMTP backend whose `deliver()` knows at which step a failure happened."""

    def deliver(self, envelope_from: str, recipient: str, content: bytes) -> SendResult:
        with self._lock:
            return self._deliver(envelope_from, recipient, content)

    def _deliver(self, envelope_from: str, recipient: str, content: bytes) -> SendResult:
        reused = self.connection is not None
        try:
            self._open_or_fail()
            return self._converse(envelope_from, recipient, content)
        except _Failed as failure:
            if failure.drop_connection:
                self._drop_connection()
            if reused and failure.drop_connection and failure.result.outcome is Outcome.TRANSIENT:
                # A kept-open connection the server closed while idle: nothing of this message was
                # accepted, so one fresh connection is tried before reporting a failure.
                try:
                    self._open_or_fail()
                    return self._converse(envelope_from, recipient, content)
                except _Failed as again:
                    if again.drop_connection:
                        self._drop_connection()
                    return again.result
            return failure.result

    def _open_or_fail(self) -> None:
        where = f"{self.host}:{self.port}"
        try:
            self.open()
        except smtplib.SMTPAuthenticationError as exc:
            raise _Failed(
                _refused(exc.smtp_code, exc.smtp_error, prefix=f"{where} refused the credentials: ")
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            # The server offers no AUTH (or no STARTTLS) while the setting needs it: a setting to fix.
            raise _Failed(SendResult(Outcome.PERMANENT, detail=f"{where}: {exc}")) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise _Failed(SendResult(Outcome.TRANSIENT, detail=f"cannot connect to {where}: {exc}")) from exc

    def _converse(self, envelope_from: str, recipient: str, content: bytes) -> SendResult:
        connection = self.connection
        assert connection is not None
        try:
            connection.ehlo_or_helo_if_needed()
            options = []
            if connection.has_extn("size"):
                options.append(f"SIZE={len(content)}")
            if connection.has_extn("8bitmime") and not content.isascii():
                options.append("BODY=8BITMIME")
            code, text = connection.mail(envelope_from, options)
            if code != 250:
                self._reset()
                raise _Failed(_refused(code, text, prefix=f"sender <{envelope_from}> refused: "))
            code, text = connection.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise _Failed(_refused(code, text, bad_recipient=True))
            connection.putcmd("data")
            code, text = connection.getreply()
            if code != 354:
                self._reset()
                raise _Failed(_refused(code, text, prefix="DATA refused: "))
        except smtplib.SMTPHeloError as exc:
            # Even a 5xx greeting refusal is about us (our IP or name), not this message: retried.
            detail = "EHLO/HELO refused: " + _reply_text(exc.smtp_code, exc.smtp_error)
            raise _Failed(SendResult(Outcome.TRANSIENT, detail=detail), drop_connection=True) from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            detail = f"connection lost before the message was sent: {exc}"
            raise _Failed(SendResult(Outcome.TRANSIENT, detail=detail), drop_connection=True) from exc
        except smtplib.SMTPException as exc:
            # Anything else smtplib refuses before DATA (e.g. an address it cannot encode): nothing
            # left, and the connection's state is unclear.
            detail = f"not sent: {exc}"
            raise _Failed(SendResult(Outcome.TRANSIENT, detail=detail), drop_connection=True) from exc

        # From here the server may have the whole message: a lost reply means "maybe sent".
        try:
            connection.send(_dot_stuffed(content))
            code, text = connection.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            detail = f"connection lost after the message was sent, before the server's answer: {exc}"
            raise _Failed(SendResult(Outcome.UNKNOWN, detail=detail), drop_connection=True) from exc
        reply = _reply_text(code, text)
        if 200 <= code <= 299:
            queue_id = _QUEUE_ID.search(reply)
            return SendResult(Outcome.DELIVERED, detail=reply, provider_ref=queue_id[1] if queue_id else "")
        if 400 <= code <= 599:
            return _refused(code, text, prefix="message refused: ")
        # -1 is smtplib's "the reply had no code": the server said something, but not whether it
        # accepted the message.
        detail = f"unreadable answer to the message: {reply}"
        raise _Failed(SendResult(Outcome.UNKNOWN, detail=detail), drop_connection=True)

    def _reset(self) -> None:
        # RSET so the kept-open connection can carry the next message; if even that fails the
        # connection is dropped and the next send opens a new one.
        try:
            assert self.connection is not None
            self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop_connection()

    def _drop_connection(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError):
                self.connection.close()
        self.connection = None


def _dot_stuffed(content: bytes) -> bytes:
    # What smtplib.SMTP.data() does to the content (RFC 5321 4.5.2), done here because data()
    # sends the DATA command and the content as one step.
    stuffed = re.sub(rb"(?m)^\.", b"..", content)
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


class EmailTransport:
    """Sends an `OutgoingMessage` as an email; one connection is kept open across sends."""

    kind = "email"

    def __init__(
        self, backend: str | None = None, *, default_from: str | None = None, **options: Any
    ) -> None:
        """`backend` is a Django email backend path (default: settings.EMAIL_BACKEND); `options` go to
        its constructor. Django's SMTP backend is replaced by `PhasedSmtpBackend` (same options)."""
        path = backend or settings.EMAIL_BACKEND
        if issubclass(import_string(path), DjangoSmtpBackend):
            path = PHASED_SMTP_BACKEND
        self.backend: BaseEmailBackend = get_connection(path, fail_silently=False, **options)
        self.default_from = default_from or settings.DEFAULT_FROM_EMAIL
        self._opened = False

    @classmethod
    def from_url(
        cls, url: str, *, timeout: float = DEFAULT_TIMEOUT, default_from: str | None = None
    ) -> EmailTransport:
        """`smtp://user:password@host:port` (plain) or `smtps://…` (TLS from the first byte)."""
        return cls(PHASED_SMTP_BACKEND, default_from=default_from, **smtp_options(url, timeout=timeout))

    @classmethod
    def from_settings(cls) -> EmailTransport:
        """The project's transport: RECOUVRE_EMAIL_URL's server, or the `.eml` outbox."""
        return cls()

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            validate_email(message.recipient)
        except ValidationError:
            return SendResult(
                Outcome.PERMANENT, detail=f"invalid email address: {message.recipient!r}", bad_recipient=True
            )
        try:
            email = self._build(message)
            content = email.message().as_bytes(linesep="\r\n")
            encoding = email.encoding or settings.DEFAULT_CHARSET
            envelope_from = sanitize_address(("", self._sender_address(message)), encoding)
            recipient = sanitize_address(("", message.recipient), encoding)
        except ValueError as exc:  # BadHeaderError too
            return SendResult(Outcome.PERMANENT, detail=f"the message cannot be built: {exc}")

        if isinstance(self.backend, PhasedSmtpBackend):
            return self.backend.deliver(envelope_from, recipient, content)
        return self._hand_to_backend(email)

    def close(self) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.backend.close()
        self._opened = False

    def _hand_to_backend(self, email: EmailMultiAlternatives) -> SendResult:
        try:
            if not self._opened:
                self.backend.open()
                self._opened = True
            sent = self.backend.send_messages([email])
        except OSError as exc:
            # The outbox backend writes a `.part` file and renames it: a failure leaves no message.
            return SendResult(Outcome.TRANSIENT, detail=f"the email backend failed: {exc}")
        if not sent:
            return SendResult(Outcome.TRANSIENT, detail="the email backend did not take the message")
        return SendResult(Outcome.DELIVERED, detail=f"handed to {type(self.backend).__name__}")

    def _sender_address(self, message: OutgoingMessage) -> str:
        return _checked(message.sender_email or self.default_from, "sender")

    def _build(self, message: OutgoingMessage) -> EmailMultiAlternatives:
        sender = self._sender_address(message)
        if message.reply_to:
            _checked(message.reply_to, "Reply-To")
        headers = {name: value for name, value in message.headers if name.lower() != "message-id"}
        headers["Message-ID"] = message.message_id or _stable_message_id(message.action_id, sender)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=formataddr((message.sender_name, sender)) if message.sender_name else sender,
            to=[message.recipient],
            reply_to=[message.reply_to] if message.reply_to else None,
            headers=headers,
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        for attachment in message.attachments:
            email.attach(attachment.filename, attachment.content, attachment.content_type)
        return email


def _checked(address: str, role: str) -> str:
    try:
        validate_email(address)
    except ValidationError:
        raise ValueError(f"invalid {role} address {address!r}") from None
    return address


def _stable_message_id(action_id: int, sender: str) -> str:
    # The dispatcher normally sets message_id; deriving it from the action (not make_msgid(), which
    # is random) keeps a resend of the same action recognisable all the same.
    return f"<action-{action_id}.recouvre@{sender.rsplit('@', 1)[-1]}>"


def smtp_options(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """The SMTP backend's options from an `smtp://` or `smtps://` URL (ValueError when malformed;
    the message never repeats the password)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        got = f"{parts.scheme}://" if parts.scheme else "no scheme"
        raise ValueError(f"must start with smtp:// or smtps:// (got {got})")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"has an invalid port: {exc}") from None
    if not parts.hostname:
        raise ValueError("has no host")
    return {
        "host": parts.hostname,
        "port": port or (465 if parts.scheme == "smtps" else 25),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_ssl": parts.scheme == "smtps",
        "use_tls": False,
        "timeout": timeout,
    }
