"""A local HTTP server playing Mollie's Payments API v2, for tests of online payment.

It checks what Mollie checks (the `Authorization: Bearer` key, a JSON body whose `amount` holds a
`currency` and a `value` string with two decimals, a `description`, http(s) `redirectUrl` and
`webhookUrl`) and answers as Mollie documents: 201 with the payment (`id` `tr_…`, `status` "open",
`_links.checkout.href`), errors as `{"status", "title", "detail", "field"}` in hal+json. It is stricter
on one point: an unknown field is refused, so a misspelt one fails a test. A test marks a payment
paid, failed, canceled or expired (`mark`), then `GET /v2/payments/{id}` tells it; it can also be told
to answer an error, or to close connections without answering.

    with FakeMollie() as mollie:
        organisation.settings = {"payments": {"provider": "mollie", "api_key": mollie.api_key,
                                              "base_url": mollie.base_url}}
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from recouvre.testing.fake_http import ServedInThread

PAYMENTS_PATH = "/v2/payments"
_FIELDS = {
    "amount",
    "description",
    "redirectUrl",
    "cancelUrl",
    "webhookUrl",
    "metadata",
    "method",
    "locale",
    "sequenceType",
    "customerId",
}
_VALUE = re.compile(r"\d{1,10}\.\d{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_URL = re.compile(r"https?://[^\s]+")
_STATUSES = ("open", "pending", "authorized", "paid", "failed", "canceled", "expired")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def _error(status: int, title: str, detail: str, field: str = "") -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {
        "status": status,
        "title": title,
        "detail": detail,
        "_links": {"documentation": {"href": "https://docs.mollie.com/errors", "type": "text/html"}},
    }
    if field:
        body["field"] = field
    return status, body


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: test output is not the place for an access log."""

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        recorded = RecordedRequest(
            method, self.path, {name.lower(): value for name, value in self.headers.items()}, body
        )
        with fake._lock:
            fake.requests.append(recorded)
        if fake._behaviour == "close":
            self.close_connection = True
            return
        status, answer = fake._answer(recorded)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("content-type", "application/hal+json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self._handle("POST")

    def do_GET(self) -> None:
        self._handle("GET")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeMollie) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class FakeMollie(ServedInThread):
    """Mollie's payments endpoints on 127.0.0.1 (a free port), recording every request."""

    name = "fake Mollie server"

    def __init__(self, api_key: str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM") -> None:
        super().__init__()
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self.payments: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._forced: tuple[int, dict[str, Any]] | None = None
        self._behaviour = "answer"
        self._next = 0

    # -- programming the answers ---------------------------------------------------------------

    def respond(self, status: int, title: str = "Error", detail: str = "") -> None:
        """Answer every following authenticated request with this status and a Mollie error body."""
        self._forced = _error(status, title, detail or title)

    def close_without_answer(self) -> None:
        self._behaviour = "close"

    def mark(
        self, payment_id: str, status: str, *, method: str = "creditcard", paid_at: datetime | None = None
    ) -> None:
        """The payment's new status, as after the customer's action at the checkout (or the bank's)."""
        if status not in _STATUSES:
            raise ValueError(f"unknown Mollie status {status!r}")
        with self._lock:
            payment = self.payments[payment_id]
            payment["status"] = status
            payment["method"] = method
            payment["_links"].pop("checkout", None)
            if status == "paid":
                moment = paid_at or datetime.now(UTC)
                payment["paidAt"] = moment.isoformat(timespec="seconds")
            else:
                payment.pop("paidAt", None)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
        self._forced = None
        self._behaviour = "answer"

    # -- Mollie's behaviour ------------------------------------------------------------------------

    def _answer(self, request: RecordedRequest) -> tuple[int, dict[str, Any]]:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Unauthorized Request", "Missing authentication, or failed to authenticate")
        if self._forced is not None:
            return self._forced
        if request.method == "POST" and request.path == PAYMENTS_PATH:
            return self._create(request)
        if request.method == "GET" and request.path.startswith(PAYMENTS_PATH + "/"):
            with self._lock:
                payment = self.payments.get(request.path.removeprefix(PAYMENTS_PATH + "/"))
                if payment is None:
                    return _error(
                        404, "Not Found", "No payment exists with token " + request.path.rsplit("/", 1)[-1]
                    )
                return 200, json.loads(json.dumps(payment))
        return _error(404, "Not Found", "The resource does not exist")

    def _create(self, request: RecordedRequest) -> tuple[int, dict[str, Any]]:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return _error(415, "Unsupported Media Type", "The request body must be JSON")
        try:
            data = request.json
        except ValueError:
            return _error(400, "Bad Request", "The request body is not valid JSON")
        if not isinstance(data, dict):
            return _error(400, "Bad Request", "The request body must be a JSON object")
        invalid = self._invalid(data)
        if invalid:
            return invalid
        with self._lock:
            self._next += 1
            payment_id = f"tr_Fake{self._next:06d}"
            payment: dict[str, Any] = {
                "resource": "payment",
                "id": payment_id,
                "mode": "test",
                "createdAt": datetime.now(UTC).isoformat(timespec="seconds"),
                "amount": dict(data["amount"]),
                "description": data["description"],
                "method": data.get("method") if isinstance(data.get("method"), str) else None,
                "metadata": data.get("metadata"),
                "status": "open",
                "isCancelable": False,
                "profileId": "pfl_FakeProfile",
                "sequenceType": "oneoff",
                "redirectUrl": data["redirectUrl"],
                "webhookUrl": data["webhookUrl"],
                "_links": {
                    "self": {
                        "href": f"{self.base_url}{PAYMENTS_PATH}/{payment_id}",
                        "type": "application/hal+json",
                    },
                    "checkout": {
                        "href": f"{self.base_url}/checkout/select-method/{payment_id}",
                        "type": "text/html",
                    },
                },
            }
            self.payments[payment_id] = payment
            return 201, json.loads(json.dumps(payment))

    @staticmethod
    def _invalid(data: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        unknown = sorted(set(data) - _FIELDS)
        if unknown:
            return _error(422, "Unprocessable Entity", f"Unknown parameter {unknown[0]}", unknown[0])
        amount = data.get("amount")
        if not isinstance(amount, dict) or set(amount) != {"currency", "value"}:
            return _error(
                422, "Unprocessable Entity", "The amount must have a currency and a value", "amount"
            )
        if not isinstance(amount["currency"], str) or not _CURRENCY.fullmatch(amount["currency"]):
            return _error(422, "Unprocessable Entity", "The currency is invalid", "amount.currency")
        if not isinstance(amount["value"], str) or not _VALUE.fullmatch(amount["value"]):
            return _error(
                422,
                "Unprocessable Entity",
                "The amount value must be a string with two decimals",
                "amount.value",
            )
        if amount["value"] == "0.00":
            return _error(422, "Unprocessable Entity", "The amount is lower than the minimum", "amount.value")
        if not isinstance(data.get("description"), str) or not data["description"].strip():
            return _error(422, "Unprocessable Entity", "The description is invalid", "description")
        for field in ("redirectUrl", "webhookUrl"):
            if not isinstance(data.get(field), str) or not _URL.fullmatch(data[field]):
                return _error(422, "Unprocessable Entity", f"The {field} is invalid", field)
        return None

    # -- lifecycle -------------------------------------------------------------------------------------

    def _make_server(self) -> _Server:
        return _Server(self)


@pytest.fixture
def fake_mollie() -> Iterator[FakeMollie]:
    """A started fake Mollie Payments API, stopped after the test."""
    with FakeMollie() as server:
        yield server
