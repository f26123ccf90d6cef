"""SMS through Brevo's transactional SMS API (standard library only).

Outcomes:
- the number is not E.164: PERMANENT with `bad_recipient`, without calling Brevo;
- no connection, or the request broke before it was fully written: TRANSIENT;
- the request was sent but no answer came (read timeout, connection closed): UNKNOWN;
- 2xx: DELIVERED, `provider_ref` = Brevo's messageId;
- 429, 408 and 5xx: TRANSIENT, except 504: a gateway that gave up waiting on Brevo's backend says
  nothing about whether the backend sent the SMS, so it is UNKNOWN;
- 400 about the number: PERMANENT with `bad_recipient`; any other 400: PERMANENT;
- 401/403 (key refused) and 402 (no credits left): PERMANENT: the account needs a person, and
  retrying meanwhile only repeats the refusal; other 4xx and 3xx: PERMANENT.
"""

from __future__ import annotations

import re

from recouvre.messaging.transports.base import Outcome, OutgoingMessage, SendResult
from recouvre.messaging.transports.sms import brevo

# Brevo's error messages are not documented one by one; a 400 naming the number (and not the
# sender) is taken as a refusal of the recipient.
_ABOUT_NUMBER = re.compile(r"recipient|phone|mobile|number", re.IGNORECASE)


class BrevoSmsTransport:
    """Sends an `OutgoingMessage` (channel "sms", recipient in E.164) through Brevo."""

    kind = "sms"

    def __init__(
        self,
        *,
        api_key: str,
        sender: str,
        base_url: str = brevo.DEFAULT_BASE_URL,
        timeout: float = 10.0,
        read_timeout: float = 30.0,
    ) -> None:
        """`timeout` bounds connecting, `read_timeout` waiting for Brevo's answer. ValueError
        names the bad argument."""
        if not api_key:
            raise ValueError("api_key is empty")
        if not brevo.SENDER.fullmatch(sender or ""):
            raise ValueError(
                f"sender must be up to 11 letters and digits, or up to 15 digits (got {sender!r})"
            )
        self.api_key = api_key
        self.sender = sender
        self.base_url = base_url
        self.timeout = timeout
        self.read_timeout = read_timeout

    def send(self, message: OutgoingMessage) -> SendResult:
        if not brevo.E164.fullmatch(message.recipient):
            return SendResult(
                Outcome.PERMANENT,
                detail=f"not a phone number in international format: {message.recipient!r}",
                bad_recipient=True,
            )
        body = brevo.payload(
            sender=self.sender,
            recipient_e164=message.recipient,
            content=message.body_text,
            # Lets a person find this SMS in Brevo's logs when the outcome is UNKNOWN.
            tag=f"recouvre-action-{message.action_id}",
        )
        try:
            answer = brevo.post(
                self.base_url,
                brevo.SEND_PATH,
                body,
                api_key=self.api_key,
                timeout=self.timeout,
                read_timeout=self.read_timeout,
            )
        except brevo.NotSent as exc:
            return SendResult(Outcome.TRANSIENT, detail=str(exc))
        except brevo.NoAnswer as exc:
            return SendResult(Outcome.UNKNOWN, detail=str(exc))
        return classify(answer)

    def close(self) -> None:
        """Nothing kept open: each send uses a fresh connection, so a connection the server closed
        while idle can never be mistaken for a lost answer."""


def classify(answer: brevo.Answer) -> SendResult:
    status = answer.status
    if 200 <= status <= 299:
        message_id = answer.json().get("messageId")
        return SendResult(
            Outcome.DELIVERED,
            detail=f"Brevo accepted the SMS ({status})",
            provider_ref="" if message_id is None else str(message_id),
        )
    detail = f"Brevo answered {status} {answer.error_text()}".strip()
    if status == 504:
        return SendResult(Outcome.UNKNOWN, detail=detail)
    if status in (408, 429) or status >= 500:
        return SendResult(Outcome.TRANSIENT, detail=detail)
    if status in (401, 403):
        return SendResult(Outcome.PERMANENT, detail=f"Brevo refused the credentials (API key): {detail}")
    if status == 402:
        return SendResult(Outcome.PERMANENT, detail=f"Brevo account has no SMS credits left: {detail}")
    if status == 400:
        text = answer.error_text()
        about_number = bool(_ABOUT_NUMBER.search(text)) and "sender" not in text.lower()
        return SendResult(Outcome.PERMANENT, detail=detail, bad_recipient=about_number)
    return SendResult(Outcome.PERMANENT, detail=detail)
