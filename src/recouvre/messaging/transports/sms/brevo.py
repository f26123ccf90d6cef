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

import http.client
import json
import re
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def error_text(self) -> str:
        """`code: message` from Brevo's error body, or the raw text when it is not JSON."""
        data = self.json()
        if data.get("code") or data.get("message"):
            return ": ".join(str(part) for part in (data.get("code"), data.get("message")) if part)
        return self.body.decode("utf-8", errors="replace").strip()[:300]


class NotSent(Exception):
    """The request did not reach Brevo (no connection, or it broke while the body was written)."""


class NoAnswer(Exception):
    """The request was sent whole, but no answer came back: Brevo may have acted on it."""


def post(
    base_url: str, path: str, body: dict[str, Any], *, api_key: str, timeout: float, read_timeout: float
) -> Answer:
    """One POST on a fresh connection. http.client rather than urllib.request: urllib hides whether
    a timeout happened while connecting or while waiting for the answer, and that is the difference
    between "retry" and "a person decides"."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be an http(s) URL (got {base_url!r})")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = {
        "api-key": api_key,
        "content-type": "application/json",
        "accept": "application/json",
        "user-agent": "recouvre",
    }
    try:
        try:
            connection.connect()
            assert connection.sock is not None
            connection.sock.settimeout(read_timeout)
            connection.request("POST", parts.path.rstrip("/") + path, body=data, headers=headers)
        except OSError as exc:
            # Brevo acts only on a complete body (Content-Length), so a break while writing it is
            # as safe to retry as a refused connection.
            raise NotSent(f"cannot reach {parts.hostname}: {_describe(exc)}") from exc
        try:
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            detail = f"no answer from {parts.hostname} after the request was sent: {_describe(exc)}"
            raise NoAnswer(detail) from exc
        try:
            content = response.read()
        except (OSError, http.client.HTTPException):
            content = b""  # the status is what decides; a lost body only loses the message id
        return Answer(response.status, content)
    finally:
        connection.close()


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
