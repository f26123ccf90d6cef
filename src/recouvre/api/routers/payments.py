"""Payments: the list, and recording one against an invoice or a debtor (ledger.payment_record)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from recouvre.api.auth import require_role
from recouvre.api.common import DEFAULT_LIMIT, amount, local_time, page
from recouvre.api.errors import FieldError
from recouvre.api.schemas.common import ERRORS, Limit, Offset
from recouvre.api.schemas.payments import PaymentCreatedOut, PaymentIn, PaymentPageOut
from recouvre.kernel.money import ZERO
from recouvre.ledger.domain.services import LedgerError, payment_record
from recouvre.ledger.models import Debtor, Invoice, Payment
from recouvre.tenancy.enums import Role

router = Router(tags=["payments"])


def _payment(payment: Payment) -> dict[str, Any]:
    allocations = list(payment.allocations.all())
    allocated = sum((a.amount for a in allocations), ZERO)
    return {
        "id": payment.pk,
        "debtor_ref": payment.debtor.ref,
        "amount": amount(payment.amount),
        "currency": payment.currency,
        "date": payment.date,
        "reference": payment.reference,
        "source": payment.source,
        "allocations": [
            {"invoice": a.invoice.number, "amount": amount(a.amount), "part": a.part} for a in allocations
        ],
        "unallocated": amount(payment.amount - allocated),
        "created_at": local_time(payment.created_at),
    }


@router.get("", response={200: PaymentPageOut, **ERRORS}, summary="List payments, newest first")
def payment_list(
    request: HttpRequest,
    debtor: str = Query("", description="Only this debtor's payments (its ref)"),
    invoice: str = Query("", description="Only payments allocated to this invoice"),
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    payments = Payment.objects.select_related("debtor").prefetch_related("allocations__invoice")
    if debtor:
        payments = payments.filter(debtor__ref=debtor)
    if invoice:
        payments = payments.filter(allocations__invoice__number=invoice).distinct()
    count, rows = page(payments.order_by("-date", "-id"), limit, offset)
    return {"count": count, "limit": limit, "offset": offset, "items": [_payment(p) for p in rows]}


@router.post("", response={201: PaymentCreatedOut, **ERRORS}, summary="Record a payment")
def payment_create(request: HttpRequest, payload: PaymentIn) -> Status[dict[str, Any]]:
    """Against `invoice`, the payment reduces that invoice's open amount; against `debtor`, it is
    allocated to the oldest due invoices first. What no invoice absorbs stays on account
    (`unallocated`). The ledger service records the audit entry (channel "api")."""
    who = require_role(request, Role.AGENT)
    if payload.invoice and payload.debtor:
        raise FieldError("debtor", "give either invoice or debtor, not both")
    invoice: Invoice | None = None
    if payload.invoice:
        invoice = Invoice.objects.select_related("debtor").filter(number=payload.invoice).first()
        if invoice is None:
            raise FieldError("invoice", f"no invoice {payload.invoice!r}")
        debtor = invoice.debtor
    elif payload.debtor:
        found = Debtor.objects.filter(ref=payload.debtor).first()
        if found is None:
            raise FieldError("debtor", f"no debtor {payload.debtor!r}")
        debtor = found
    else:
        raise FieldError("invoice", "give the invoice number paid, or the debtor ref to allocate to")
    try:
        result = payment_record(
            organisation=who.organisation,
            debtor=debtor,
            invoice=invoice,
            amount=payload.amount,
            on=payload.date,
            actor=who.user,
            reference=payload.reference,
        )
    except LedgerError as exc:
        # The ledger refuses either the amount or the invoice itself (a credit note, nothing left).
        field = "invoice" if invoice is not None and invoice.number in str(exc) else "amount"
        raise FieldError(field, str(exc)) from None
    payment = (
        Payment.objects.select_related("debtor")
        .prefetch_related("allocations__invoice")
        .get(pk=result.payment.pk)
    )
    body = _payment(payment)
    if invoice is not None:
        invoice.refresh_from_db(fields=["open_amount"])
    body["invoice"] = invoice.number if invoice else None
    body["open_amount"] = amount(invoice.open_amount) if invoice else None
    return Status(201, body)
