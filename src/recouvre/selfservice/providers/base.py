"""What the portal needs from a payment provider: a hosted checkout to send the debtor to, and the
provider's own word on a payment's status (a webhook only says "look again"; its body is never
believed beyond the id). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

# A payment's life at the provider. `paid` is the only status that means money; the other final
# ones mean none will come from this checkout.
OPEN = "open"
PENDING = "pending"
AUTHORIZED = "authorized"
PAID = "paid"
FAILED = "failed"
CANCELED = "canceled"
EXPIRED = "expired"
STATUSES = (OPEN, PENDING, AUTHORIZED, PAID, FAILED, CANCELED, EXPIRED)
FINAL = frozenset({PAID, FAILED, CANCELED, EXPIRED})


@dataclass(frozen=True)
class Checkout:
    provider_id: str
    checkout_url: str
    status: str = OPEN


@dataclass(frozen=True)
class ProviderPayment:
    provider_id: str
    status: str
    amount: Decimal
    currency: str
    paid_at: datetime | None  # aware; None until paid
    method: str  # "creditcard", "directdebit", "banktransfer"…; "" while the debtor has not chosen


class ProviderError(Exception):
    """The provider did not do what was asked; `detail` is for the logs (never carries the key)."""

    def __init__(self, detail: str, *, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


class ProviderRefused(ProviderError):
    """The provider answered no (credentials, invalid request, unknown payment): asking again the
    same way gets the same answer, a person has to look."""

    @property
    def credentials(self) -> bool:
        return self.status in (401, 403)


class ProviderUnavailable(ProviderError):
    """No usable answer (no connection, timeout, rate limit, server error): worth trying later."""


class PaymentProvider(Protocol):
    name: str

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
    ) -> Checkout: ...

    def payment_fetch(self, provider_id: str) -> ProviderPayment: ...
