"""Paying online from the portal: a checkout at the organisation's payment provider, and the ledger
payment recorded when — and only when — the provider itself says the money is paid.

The provider is called outside any transaction (a slow provider must not hold a row lock or a
connection), and the webhook that says "look again" may come twice, late, or at the same time as the
debtor's return page: the ledger payment is recorded by whichever caller wins a conditional UPDATE of
the row from not-paid to paid, inside the same transaction as the recording, so it happens once."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from recouvre.kernel.money import ZERO
from recouvre.ledger.domain.services import payment_record
from recouvre.ledger.enums import DocumentType, InvoiceStatus, PaymentSource
from recouvre.ledger.models import Debtor, Invoice
from recouvre.selfservice.domain.references import rf_reference
from recouvre.selfservice.models import OnlinePayment, OnlinePaymentStatus
from recouvre.selfservice.providers.base import PAID, PaymentProvider, ProviderPayment, ProviderUnavailable
from recouvre.selfservice.providers.registry import provider_for

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
MIN_AMOUNT = Decimal("0.01")
CURRENCY = "EUR"  # the ledger records payments in euros


class OnlinePaymentError(ValueError):
    """The payment cannot be started as asked (amount, currency, online payment off)."""


class OnlinePaymentUnknown(LookupError):
    """No online payment of ours carries this provider id."""


def online_provider(organisation: Any) -> PaymentProvider | None:
    return provider_for(organisation.settings or {}, os.environ)


def online_payment_enabled(organisation: Any) -> bool:
    """Whether the portal offers paying online. A malformed setting switches it off (and is logged)
    rather than breaking the debtor's page."""
    try:
        return online_provider(organisation) is not None
    except ValueError as exc:
        logger.warning("organisation %s: online payment off, %s", organisation.pk, exc)
        return False


def debtor_owed(debtor: Debtor) -> Decimal:
    total = Invoice.objects.filter(
        debtor=debtor, document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0
    ).aggregate(total=Sum("open_amount"))["total"]
    return total or ZERO


def online_payment_start(
    *, organisation: Any, debtor: Debtor, amount: Decimal, redirect_url: str, webhook_url: str
) -> OnlinePayment:
    """Creates the checkout at the provider, then the row; the caller sends the debtor to its
    `checkout_url`. Raises OnlinePaymentError for a request that cannot be made, ProviderRefused or
    ProviderUnavailable when the provider says no or does not answer (nothing is stored then)."""
    provider = online_provider(organisation)
    if provider is None:
        raise OnlinePaymentError("online payment is not enabled for this organisation")
    owed = debtor_owed(debtor)
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise OnlinePaymentError(f"{amount} has more than two decimals")
    if amount < MIN_AMOUNT or amount > owed:
        raise OnlinePaymentError(f"the amount must be between {MIN_AMOUNT} and {owed} (got {amount})")
    currencies = set(
        Invoice.objects.filter(debtor=debtor, status=InvoiceStatus.OPEN, open_amount__gt=0).values_list(
            "currency", flat=True
        )
    )
    if currencies - {CURRENCY}:
        raise OnlinePaymentError("only invoices in euros can be paid online")
    checkout = provider.checkout_create(
        amount=amount,
        currency=CURRENCY,
        # On the debtor's card or bank statement: the creditor, and the reference the debtor is
        # known by, so both sides can match it.
        description=f"{organisation.name} {rf_reference(debtor.pk)}",
        redirect_url=redirect_url,
        webhook_url=webhook_url,
        metadata={"organisation": organisation.pk, "debtor": debtor.pk},
    )
    return OnlinePayment.objects.create(
        organisation=organisation,
        debtor=debtor,
        provider=provider.name,
        provider_id=checkout.provider_id,
        amount=amount,
        currency=CURRENCY,
        status=checkout.status if checkout.status in OnlinePaymentStatus.values else OnlinePaymentStatus.OPEN,
        checkout_url=checkout.checkout_url,
    )


def online_payment_latest(debtor: Debtor) -> OnlinePayment | None:
    return OnlinePayment.objects.filter(debtor=debtor).first()


def online_payment_refresh(
    *, provider_id: str, provider: str = "mollie", now: datetime | None = None
) -> OnlinePayment:
    """Asks the provider for the payment's status and mirrors it; when it is paid, records the money
    in the ledger (oldest invoices first), once whatever the number of calls. OnlinePaymentUnknown
    for an id that is not ours; ProviderRefused/ProviderUnavailable when the provider cannot say."""
    with scopes_disabled():  # the webhook knows no organisation: the row tells which one
        row = (
            OnlinePayment.objects.select_related("organisation", "debtor")
            .filter(provider=provider, provider_id=provider_id)
            .first()
        )
    if row is None:
        raise OnlinePaymentUnknown(provider_id)
    with scope(organisation=row.organisation_id):
        client = online_provider(row.organisation)
        if client is None or client.name != row.provider:
            raise ProviderUnavailable(f"organisation {row.organisation_id} has no {row.provider} account now")
        fetched = client.payment_fetch(provider_id)
        _mirror(row, fetched, now or timezone.now())
        row.refresh_from_db()
        return row


def _mirror(row: OnlinePayment, fetched: ProviderPayment, now: datetime) -> None:
    not_yet_paid = OnlinePayment.objects.filter(pk=row.pk, payment__isnull=True).exclude(
        status=OnlinePaymentStatus.PAID
    )
    status = fetched.status[:20] or row.status
    if status != PAID:
        not_yet_paid.update(status=status, method=fetched.method[:40], updated_at=now)
        return
    if fetched.currency != row.currency:
        # The ledger cannot hold it as it is; a person must look before anything is recorded.
        logger.error(
            "%s %s paid in %s, expected %s", row.provider, row.provider_id, fetched.currency, row.currency
        )
        return
    if fetched.amount != row.amount:
        logger.warning(
            "%s %s paid %s, %s was asked: the amount paid is recorded",
            row.provider,
            row.provider_id,
            fetched.amount,
            row.amount,
        )
    paid_at = fetched.paid_at or now
    with transaction.atomic():
        won = not_yet_paid.update(status=PAID, method=fetched.method[:40], paid_at=paid_at, updated_at=now)
        if not won:
            return  # another call recorded it
        result = payment_record(
            organisation=row.organisation,
            debtor=row.debtor,
            amount=fetched.amount,
            on=paid_at.astimezone(PARIS).date(),
            actor=None,
            reference=f"{row.provider.capitalize()} {row.provider_id}",
            source=PaymentSource.PORTAL,
        )
        OnlinePayment.objects.filter(pk=row.pk).update(payment=result.payment)
