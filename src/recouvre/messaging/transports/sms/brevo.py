"""Brevo's transactional SMS API: the request it expects and one call whose failures say whether the
request had left.

From Brevo's public documentation (developers.brevo.com): `POST /v3/transactionalSMS/send` (the
former `/v3/transactionalSMS/sms` is deprecated since May 2025), JSON body with `sender`,
`recipient` (the number with its country code), `content`, `type` ("transactional" or
"marketing"), optional `tag`, `unicodeEnabled`, `webUrl`, `organisationPrefix`; the key goes in an
`api-key` header. It answers 201 `{"messageId": 1511882900176220}`, errors as
`{"code": "invalid_parameter", "message": "..."}`.
"""

from __future__ import annotations

import re
from typing import Any

from recouvre.common import json_http

DEFAULT_BASE_URL = "https://api.brevo.com"
SEND_PATH = "/v3/transactionalSMS/send"

# GSM 03.38: the basic set and the extension table (escaped, two septets each). Text outside it
# must be sent as unicode, otherwise Brevo substitutes characters (ê, ç, œ are common in French).
_GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    "^{}\\[~]|€\f"
)
E164 = re.compile(r"\+[1-9]\d{5,14}")
# Brevo: up to 11 alphanumeric characters, or up to 15 digits for a numeric sender.
SENDER = re.compile(r"[A-Za-z0-9]{1,11}|\+?\d{1,15}")


def needs_unicode(text: str) -> bool:
    return not set(text) <= _GSM7


def payload(*, sender: str, recipient_e164: str, content: str, tag: str = "") -> dict[str, Any]:
    """The body of a send; Brevo's examples give the number as digits without "+"."""
    body: dict[str, Any] = {
        "sender": sender,
        "recipient": recipient_e164.removeprefix("+"),
        "content": content,
        "type": "transactional",
        "unicodeEnabled": needs_unicode(content),
    }
    if tag:
        body["tag"] = tag
    return body


class Answer(json_http.Answer):
    def error_text(self) -> str:
        """`code: message` from Brevo's error body, or the raw text when it is not JSON."""
        data = self.json()
        if data.get("code") or data.get("message"):
            return ": ".join(str(part) for part in (data.get("code"), data.get("message")) if part)
        return self.text()


NotSent = json_http.NotSent
NoAnswer = json_http.NoAnswer


def post(
    base_url: str, path: str, body: dict[str, Any], *, api_key: str, timeout: float, read_timeout: float
) -> Answer:
    """One POST; the status decides, a body lost after it only loses the message id."""
    answer = json_http.json_call(
        base_url,
        "POST",
        path,
        body,
        headers={"api-key": api_key},
        timeout=timeout,
        read_timeout=read_timeout,
        status_is_enough=True,
    )
    return Answer(answer.status, answer.body)
