"""One JSON call to a provider's HTTP API on a fresh connection (Brevo's SMS, Mollie's payments).

http.client rather than urllib.request: urllib hides whether a timeout happened while connecting or
while waiting for the answer, and that is the difference between "retry" (the request never left)
and "a person decides" (it left, and the provider may have acted on it). TLS is verified against the
system's trust store."""

from __future__ import annotations

import http.client
import json
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


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

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace").strip()[:300]


class NotSent(Exception):
    """The request did not reach the provider (no connection, or it broke while being written)."""


class NoAnswer(Exception):
    """The request was sent whole, but no answer came back: the provider may have acted on it."""


def json_call(
    base_url: str,
    verb: str,
    path: str,
    body: dict[str, Any] | None,
    *,
    headers: dict[str, str],
    timeout: float,
    read_timeout: float,
    status_is_enough: bool = False,
) -> Answer:
    """`status_is_enough`: a body lost after the status line still makes an answer (empty body)."""
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
    headers = {"accept": "application/json", "user-agent": "recouvre", **headers}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers["content-type"] = "application/json"
    try:
        try:
            connection.connect()
            assert connection.sock is not None
            connection.sock.settimeout(read_timeout)
            connection.request(verb, parts.path.rstrip("/") + path, body=data, headers=headers)
        except OSError as exc:
            # Providers act only on a complete body (Content-Length): a break while writing it is as
            # safe to retry as a refused connection.
            raise NotSent(f"cannot reach {parts.hostname}: {_describe(exc)}") from exc
        try:
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            detail = f"no answer from {parts.hostname} after the request was sent: {_describe(exc)}"
            raise NoAnswer(detail) from exc
        try:
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            if not status_is_enough:
                raise NoAnswer(f"no answer from {parts.hostname}: {_describe(exc)}") from exc
            content = b""
        return Answer(response.status, content)
    finally:
        connection.close()


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
