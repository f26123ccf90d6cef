"""Mollie's Payments API v2: a hosted checkout for card, SEPA direct debit or bank transfer.

From Mollie's public documentation (docs.mollie.com): `POST /v2/payments` with
`Authorization: Bearer <API key>` and a JSON body `{"amount": {"currency": "EUR", "value": "123.45"},
"description", "redirectUrl", "webhookUrl", "metadata", "method"}` (the value a string with exactly
two decimals) answers 201 with the payment: `id` (`tr_…`), `status` "open" and
`_links.checkout.href`, where the customer is sent. On each status change Mollie POSTs `id=tr_…`
(form-encoded) to the webhookUrl; the status is learnt only by `GET /v2/payments/{id}` (`status`:
open, pending, authorized, paid, failed, canceled, expired; `paidAt` ISO 8601; `method`), so a forged
webhook call can never make a payment look paid. Errors come as
`{"status": 422, "title": "Unprocessable Entity", "detail": "...", "field": "amount.value"}`.

Outcomes: no connection or no answer, 408, 429 and 5xx: `ProviderUnavailable`; 401/403 (key
refused), 404 (unknown payment), 400/422 (invalid request), any other status or an answer that is not
a payment: `ProviderRefused`. Pure: standard library only, a fresh connection per call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from recouvre.common import json_http
from recouvre.kernel.money import format_amount
from recouvre.selfservice.providers.base import (
    Checkout,
    ProviderPayment,
    ProviderRefused,
    ProviderUnavailable,
)

DEFAULT_BASE_URL = "https://api.mollie.com"
PAYMENTS_PATH = "/v2/payments"
PAYMENT_ID = re.compile(r"tr_[A-Za-z0-9]{1,64}")
DESCRIPTION_MAX = 255  # Mollie's absolute maximum; it truncates per method below that


class Answer(json_http.Answer):
    def error_text(self) -> str:
        """`title: detail (field)` from Mollie's error body, or the raw text when it is not JSON."""
        data = self.json()
        if data.get("title") or data.get("detail"):
            text = ": ".join(str(data[key]) for key in ("title", "detail") if data.get(key))
            return f"{text} ({data['field']})" if data.get("field") else text
        return self.text()


def payload(
    *,
    amount: Decimal,
    currency: str,
    description: str,
    redirect_url: str,
    webhook_url: str,
    metadata: Mapping[str, str | int] | None = None,
    method: str | list[str] | None = None,
) -> dict[str, Any]:
    if not isinstance(amount, Decimal) or amount <= 0:
        raise ValueError(f"amount must be a positive Decimal (got {amount!r})")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(f"currency must be an ISO 4217 code (got {currency!r})")
    body: dict[str, Any] = {
        "amount": {"currency": currency, "value": format_amount(amount)},
        "description": description[:DESCRIPTION_MAX],
        "redirectUrl": redirect_url,
        "webhookUrl": webhook_url,
    }
    if metadata:
        body["metadata"] = dict(metadata)
    if method:
        body["method"] = method
    return body


class MollieProvider:
    name = "mollie"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 5.0,
        read_timeout: float = 20.0,
    ) -> None:
        """`timeout` bounds connecting, `read_timeout` waiting for the answer: a debtor is waiting
        on the other side of a checkout, Mollie on the other side of a webhook (it gives up at 15 s)."""
        if not api_key:
            raise ValueError("api_key is empty")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL (got {base_url!r})")
        self.api_key = api_key
        self.base_url = base_url
        self.timeout = timeout
        self.read_timeout = read_timeout

    def checkout_create(
        self,
        *,
        amount: Decimal,
        currency: str,
        description: str,
        redirect_url: str,
        webhook_url: str,
        metadata: Mapping[str, str | int] | None = None,
        method: str | list[str] | None = None,
    ) -> Checkout:
        body = payload(
            amount=amount,
            currency=currency,
            description=description,
            redirect_url=redirect_url,
            webhook_url=webhook_url,
            metadata=metadata,
            method=method,
        )
        # A checkout created but never answered is harmless (nobody is sent to it and Mollie lets it
        # expire), so a lost answer is as retryable as a refused connection.
        answer = self._call("POST", PAYMENTS_PATH, body)
        data = _payment_data(answer)
        links = data.get("_links")
        checkout = links.get("checkout") if isinstance(links, dict) else None
        url = checkout.get("href") if isinstance(checkout, dict) else None
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ProviderRefused(
                f"Mollie created {data['id']} without a checkout link", status=answer.status
            )
        return Checkout(provider_id=data["id"], checkout_url=url, status=str(data.get("status") or "open"))

    def payment_fetch(self, provider_id: str) -> ProviderPayment:
        if not PAYMENT_ID.fullmatch(provider_id):
            raise ProviderRefused(f"not a Mollie payment id: {provider_id[:80]!r}")
        data = _payment_data(self._call("GET", f"{PAYMENTS_PATH}/{provider_id}", None))
        if data["id"] != provider_id:
            raise ProviderRefused(f"Mollie answered {data['id']} when asked for {provider_id}")
        amount = data["amount"] if isinstance(data.get("amount"), dict) else {}
        try:
            value = Decimal(str(amount.get("value")))
        except InvalidOperation:
            raise ProviderRefused(f"Mollie gave {provider_id} no readable amount") from None
        return ProviderPayment(
            provider_id=provider_id,
            status=str(data.get("status") or ""),
            amount=value,
            currency=str(amount.get("currency") or ""),
            paid_at=_when(data.get("paidAt")),
            method=str(data.get("method") or ""),
        )

    def _call(self, verb: str, path: str, body: dict[str, Any] | None) -> Answer:
        try:
            answer = request(
                self.base_url,
                verb,
                path,
                body,
                api_key=self.api_key,
                timeout=self.timeout,
                read_timeout=self.read_timeout,
            )
        except (NotSent, NoAnswer) as exc:
            raise ProviderUnavailable(str(exc)) from exc
        if 200 <= answer.status <= 299:
            return answer
        detail = f"Mollie answered {answer.status} {answer.error_text()}".strip()
        if answer.status in (408, 429) or answer.status >= 500:
            raise ProviderUnavailable(detail, status=answer.status)
        if answer.status in (401, 403):
            raise ProviderRefused(f"Mollie refused the API key: {detail}", status=answer.status)
        raise ProviderRefused(detail, status=answer.status)


def _payment_data(answer: Answer) -> dict[str, Any]:
    data = answer.json()
    if not isinstance(data.get("id"), str) or not PAYMENT_ID.fullmatch(data["id"]):
        raise ProviderRefused(f"Mollie's answer ({answer.status}) is not a payment", status=answer.status)
    return data


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ProviderRefused(f"Mollie gave an unreadable paidAt: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise ProviderRefused(f"Mollie gave a paidAt without a time zone: {value[:40]!r}")
    return moment


NotSent = json_http.NotSent
NoAnswer = json_http.NoAnswer


def request(
    base_url: str,
    verb: str,
    path: str,
    body: dict[str, Any] | None,
    *,
    api_key: str,
    timeout: float,
    read_timeout: float,
) -> Answer:
    """One call; Mollie answers HAL JSON."""
    answer = json_http.json_call(
        base_url,
        verb,
        path,
        body,
        headers={"authorization": f"Bearer {api_key}", "accept": "application/hal+json, application/json"},
        timeout=timeout,
        read_timeout=read_timeout,
    )
    return Answer(answer.status, answer.body)
