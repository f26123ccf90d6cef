"""What every transport (one folder per kind) offers the dispatcher.

A transport hands one message to a provider and says what it knows of the outcome. It never
touches the database: the dispatcher records the outcome, so a provider call is never made inside
a transaction. The outcome drives what happens next (dunning.md, Guarantees):

- `DELIVERED`: the provider accepted the message (an SMTP server queued it, an API answered 2xx).
- `TRANSIENT`: known *not* delivered and worth retrying (connection refused, timeout before the
  message was handed over, a provider's 5xx/429 before accepting it): retried with backoff.
- `PERMANENT`: known not delivered and retrying cannot help (the address or number is refused, a
  provider's explicit 4xx rejection): recorded, shown, and the step falls back to another channel
  when `bad_recipient` says the recipient itself is the problem.
- `UNKNOWN`: the message may or may not have left (the connection dropped after the content was
  sent): never retried automatically; a person decides.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingMessage:
    """One message, exactly as it will be sent (the dispatcher stores it, with its hash, before the
    transport is called)."""

    action_id: int
    channel: str  # "email" or "sms"
    recipient: str  # an email address, or a phone number in E.164 (+33612345678)
    body_text: str
    subject: str = ""
    body_html: str = ""
    sender_name: str = ""
    sender_email: str = ""
    # Replies go to the creditor (or, later, to a per-action capture address).
    reply_to: str = ""
    # Stable per action (`<action-42.recouvre@host>`): a resend of the same action carries the same
    # Message-ID, so the receiving side and the bounce handling can recognise it.
    message_id: str = ""
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    detail: str = ""  # a human-readable reason, shown on the action (e.g. "550 5.1.1 user unknown")
    provider_ref: str = ""  # the provider's id for the message, when it gives one
    bad_recipient: bool = False  # the recipient address/number itself was refused

    @property
    def delivered(self) -> bool:
        return self.outcome is Outcome.DELIVERED


@dataclass(frozen=True)
class TransportConfig:
    """Where a kind of message leaves through, resolved from the organisation's settings and the
    environment by `messaging.transports.registry`."""

    kind: str
    options: dict[str, str] = field(default_factory=dict)


class Transport(Protocol):
    kind: str

    def send(self, message: OutgoingMessage) -> SendResult: ...

    def close(self) -> None: ...
