"""A local HTTP server playing Brevo's transactional SMS API, for tests of the SMS transport.

It checks what Brevo checks (the `api-key` header, a JSON body with sender, recipient and content,
the sender and number formats) and answers as Brevo documents: 201 `{"messageId": n}`, errors as
`{"code": ..., "message": ...}`. It is stricter on one point: an unknown field is refused, so a
misspelt one (`unicode_enabled`) fails a test instead of being silently ignored. It can be told to
answer an error, to refuse a number, to hang after reading a request (read timeouts), or to close
the connection without answering.

    with FakeBrevo() as brevo:
        BrevoSmsTransport(api_key=brevo.api_key, sender="Acme", base_url=brevo.base_url, ...)
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from recouvre.testing.fake_http import ServedInThread

SEND_PATH = "/v3/transactionalSMS/send"
_FIELDS = {"sender", "recipient", "content", "type", "tag", "webUrl", "unicodeEnabled", "organisationPrefix"}
_SENDER = re.compile(r"[A-Za-z0-9]{1,11}|\+?\d{1,15}")
_NUMBER = re.compile(r"\+?\d{6,15}")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: test output is not the place for an access log."""

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        recorded = RecordedRequest(
            "POST", self.path, {name.lower(): value for name, value in self.headers.items()}, body
        )
        with fake._lock:
            fake.requests.append(recorded)
        if fake._behaviour == "hang":
            fake._release.wait(timeout=30)
            self.close_connection = True
            return
        if fake._behaviour == "close":
            self.close_connection = True
            return
        status, answer = fake._answer(recorded)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.send_error(405)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeBrevo) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class FakeBrevo(ServedInThread):
    """Brevo's SMS endpoint on 127.0.0.1 (a free port), recording every request."""

    name = "fake Brevo server"

    def __init__(self, api_key: str = "xkeysib-test-0123456789") -> None:
        super().__init__()
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._forced: tuple[int, dict[str, Any]] | None = None
        self._behaviour = "answer"
        self._refused_numbers: set[str] = set()
        self._next_id = 1511882900176220

    # -- programming the answers ---------------------------------------------------------------

    def respond(self, status: int, code: str = "", message: str = "") -> None:
        """Answer every following valid request with this status and Brevo-style error body."""
        self._forced = (status, {"code": code, "message": message} if code or message else {})

    def refuse_number(self, number: str) -> None:
        """Answer 400 for this recipient (E.164, with or without "+"), as for a number Brevo rejects."""
        self._refused_numbers.add(number.removeprefix("+"))

    def hang(self) -> None:
        """Read requests and never answer (until the server stops)."""
        self._behaviour = "hang"

    def close_without_answer(self) -> None:
        """Read requests, then close the connection without a status line."""
        self._behaviour = "close"

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
        self._forced = None
        self._behaviour = "answer"
        self._refused_numbers.clear()

    # -- Brevo's behaviour ---------------------------------------------------------------------------

    def _answer(self, request: RecordedRequest) -> tuple[int, dict[str, Any]]:
        if request.path != SEND_PATH:
            return 404, {"code": "not_found", "message": "Invalid route"}
        if request.headers.get("api-key") != self.api_key:
            return 401, {"code": "unauthorized", "message": "Key not found"}
        if not request.headers.get("content-type", "").startswith("application/json"):
            return 400, {"code": "bad_request", "message": "Content-Type must be application/json"}
        error = self._invalid(request.body)
        if error:
            return 400, error
        if self._forced is not None:
            return self._forced
        if request.json["recipient"].removeprefix("+") in self._refused_numbers:
            return 400, {"code": "invalid_parameter", "message": "Invalid recipient phone number"}
        with self._lock:
            self._next_id += 1
            return 201, {"messageId": self._next_id}

    @staticmethod
    def _invalid(body: bytes) -> dict[str, str] | None:
        try:
            data = json.loads(body)
        except ValueError:
            return {"code": "bad_request", "message": "Input must be a valid JSON object"}
        if not isinstance(data, dict):
            return {"code": "bad_request", "message": "Input must be a valid JSON object"}
        for field in ("sender", "recipient", "content"):
            if not isinstance(data.get(field), str) or not data[field]:
                return {"code": "missing_parameter", "message": f"{field} is missing"}
        unknown = sorted(set(data) - _FIELDS)
        if unknown:
            return {"code": "invalid_parameter", "message": f"Unknown parameter {unknown[0]}"}
        if not _SENDER.fullmatch(data["sender"]):
            return {"code": "invalid_parameter", "message": "Invalid sender name"}
        if not _NUMBER.fullmatch(data["recipient"]):
            return {"code": "invalid_parameter", "message": "Invalid recipient phone number"}
        if data.get("type", "transactional") not in ("transactional", "marketing"):
            return {"code": "invalid_parameter", "message": "type must be transactional or marketing"}
        if not isinstance(data.get("unicodeEnabled", False), bool):
            return {"code": "invalid_parameter", "message": "unicodeEnabled must be a boolean"}
        tag = data.get("tag", "")
        if not (isinstance(tag, str) or (isinstance(tag, list) and all(isinstance(t, str) for t in tag))):
            return {"code": "invalid_parameter", "message": "tag must be a string or an array of strings"}
        return None

    # -- lifecycle -------------------------------------------------------------------------------------

    def _make_server(self) -> _Server:
        self._release.clear()
        return _Server(self)

    def _stopping(self) -> None:
        self._release.set()  # frees handlers that hang


@pytest.fixture
def fake_brevo() -> Iterator[FakeBrevo]:
    """A started fake Brevo SMS API, stopped after the test."""
    with FakeBrevo() as server:
        yield server
