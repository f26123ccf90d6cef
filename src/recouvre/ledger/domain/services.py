"""Ledger writes: payments, their allocation, and keeping each invoice's open amount true.

Every service runs in one transaction and records what it did in the debtor's timeline. A payment
settles principal only, unless the organisation imputes payments on interest first (C. civ. 1343-1,
off by default): then each invoice it reaches takes its late-payment interest due first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum

from recouvre.audit.domain.services import audit_record
from recouvre.kernel.money import ZERO, format_amount, format_money
from recouvre.ledger.domain.allocation import OpenInvoice, Share, allocate_oldest_first
from recouvre.ledger.domain.penalties import invoices_penalties, law_settings
from recouvre.ledger.enums import AllocationPart, DocumentType, InvoiceStatus, PaymentSource
from recouvre.ledger.models import Allocation, Debtor, Invoice, Payment
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind


class LedgerError(ValueError):
    """A request the ledger refuses, with a message for the person who made it."""


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    shares: tuple[Share, ...]
    unallocated: Decimal


def invoices_refresh_open_amount(invoice_ids: Iterable[int]) -> list[int]:
    """Recomputes open amount, status and paid date from the principal shares of the allocations (an
    invoice whose interest is paid but not its principal stays open); returns the ids of the invoices
    that became settled by it. Called inside the transaction that changed allocations."""
    ids = list(set(invoice_ids))
    settled: list[int] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sums = {
            row["invoice_id"]: (row["total"], row["last"])
            for row in Allocation.objects.filter(invoice_id__in=chunk, part=AllocationPart.PRINCIPAL)
            .values("invoice_id")
            .annotate(total=Sum("amount"), last=Max("date"))
        }
        for invoice in Invoice.objects.filter(id__in=chunk).select_for_update():
            allocated, last = sums.get(invoice.id, (ZERO, None))
            open_amount = invoice.amount - allocated
            if open_amount < 0:
                raise LedgerError(f"allocations exceed the amount of {invoice.number}")
            status = invoice.status
            paid_date = invoice.paid_date
            if invoice.status != InvoiceStatus.CANCELLED:
                status = InvoiceStatus.OPEN if open_amount > 0 else InvoiceStatus.PAID
                paid_date = last if open_amount == 0 else None
            if (open_amount, status, paid_date) != (invoice.open_amount, invoice.status, invoice.paid_date):
                if status == InvoiceStatus.PAID and invoice.status == InvoiceStatus.OPEN:
                    settled.append(invoice.id)
                invoice.open_amount, invoice.status, invoice.paid_date = open_amount, status, paid_date
                invoice.save(update_fields=["open_amount", "status", "paid_date", "updated_at"])
    return settled


def _open_invoices(debtor: Debtor) -> list[Invoice]:
    return list(
        Invoice.objects.filter(
            debtor=debtor, document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0
        ).select_related("debtor")
    )


def _open_items(invoices: list[Invoice], on: date, interest_first: bool) -> list[OpenInvoice]:
    """What each invoice owes on the payment day; its interest due (as of that day, the interest
    already paid deducted) only when interest is imputed first."""
    interest = (
        {pk: p.interest_due for pk, p in invoices_penalties(invoices, on).items()} if interest_first else {}
    )
    return [
        OpenInvoice(i.id, i.number, i.issue_date, i.due_date, i.open_amount, interest.get(i.id, ZERO))
        for i in invoices
    ]


def _check_amount(amount: Decimal) -> None:
    if amount <= 0:
        raise LedgerError(f"the amount must be positive (got {amount})")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise LedgerError(f"{amount} has more than two decimals")


def payment_record(
    *,
    organisation: Any,
    debtor: Debtor,
    amount: Decimal,
    on: date,
    actor: Any,
    reference: str = "",
    invoice: Invoice | None = None,
    source: str = PaymentSource.MANUAL,
    import_batch: Any = None,
) -> PaymentResult:
    """Records a payment and allocates it: to `invoice` when given (up to what it owes), else to the
    debtor's oldest due invoices first. With interest first on, each invoice takes its interest due
    on `on` before its principal. What is left stays on account and is reported.

    A payment an import derives from the books' open amounts settles principal whatever the setting:
    the creditor's books say which invoice amount was paid, and they know no interest."""
    _check_amount(amount)
    with transaction.atomic():
        if invoice is not None:
            if invoice.is_credit_note:
                raise LedgerError(f"{invoice.number} is a credit note, not an invoice")
            if invoice.status != InvoiceStatus.OPEN or invoice.open_amount <= 0:
                raise LedgerError(f"invoice {invoice.number} has nothing left to pay")
            invoices = [invoice]
        else:
            invoices = _open_invoices(debtor)
        interest_first = (
            bool(invoices) and source != PaymentSource.IMPORT and law_settings(organisation.pk).interest_first
        )
        plan = allocate_oldest_first(amount, _open_items(invoices, on, interest_first))
        payment = Payment.objects.create(
            organisation=organisation,
            debtor=debtor,
            amount=amount,
            currency=invoice.currency if invoice else "EUR",
            date=on,
            reference=reference,
            source=source,
            import_batch=import_batch,
            created_by=actor,
        )
        Allocation.objects.bulk_create(
            Allocation(
                organisation=organisation,
                invoice_id=share.invoice_id,
                payment=payment,
                amount=share.amount,
                date=on,
                part=share.part,
                created_by=actor,
            )
            for share in plan.shares
        )
        settled = invoices_refresh_open_amount(share.invoice_id for share in plan.shares)
        event_record(
            organisation=organisation,
            debtor_id=debtor.id,
            invoice_id=invoice.id if invoice else None,
            kind=EventKind.PAYMENT_RECORDED,
            actor=actor,
            summary=f"Paiement de {format_money(amount, payment.currency)} reçu le {on:%d/%m/%Y}"
            + (f" ({reference})" if reference else ""),
            data={
                "payment_id": payment.id,
                "amount": format_amount(amount),
                "date": on.isoformat(),
                "reference": reference,
                "source": source,
                "allocations": [
                    {"invoice": s.number, "amount": format_amount(s.amount), "part": s.part}
                    for s in plan.shares
                ],
                "unallocated": format_amount(plan.unallocated),
            },
        )
        _record_settled(organisation, debtor.id, settled, actor)
        audit_record(
            organisation=organisation,
            actor=actor,
            action="create",
            object_type="payment",
            object_id=payment.pk,
            debtor_id=debtor.id,
            changes={
                "amount": format_amount(amount),
                "date": on.isoformat(),
                "invoice": invoice.number if invoice else None,
            },
        )
    return PaymentResult(payment=payment, shares=plan.shares, unallocated=plan.unallocated)


def _record_settled(organisation: Any, debtor_id: int, invoice_ids: list[int], actor: Any) -> None:
    for invoice in Invoice.objects.filter(id__in=invoice_ids).only("id", "number", "paid_date"):
        event_record(
            organisation=organisation,
            debtor_id=debtor_id,
            invoice_id=invoice.id,
            kind=EventKind.INVOICE_SETTLED,
            actor=actor,
            summary=f"Facture {invoice.number} soldée",
            data={
                "invoice": invoice.number,
                "paid_date": invoice.paid_date.isoformat() if invoice.paid_date else None,
            },
        )


def credit_note_allocate(
    *, organisation: Any, credit_note: Invoice, invoice: Invoice, on: date, actor: Any
) -> Decimal:
    """Allocates what is left of a credit note to the invoice it corrects; returns the amount."""
    if not credit_note.is_credit_note:
        raise LedgerError(f"{credit_note.number} is not a credit note")
    with transaction.atomic():
        take = min(credit_note.open_amount, invoice.open_amount)
        if take <= 0:
            return ZERO
        Allocation.objects.create(
            organisation=organisation,
            invoice=invoice,
            credit_note=credit_note,
            amount=take,
            date=on,
            # A credit note cancels part of the sale itself, never interest (only money pays it).
            part=AllocationPart.PRINCIPAL,
            created_by=actor,
        )
        credit_note.open_amount -= take
        credit_note.status = InvoiceStatus.OPEN if credit_note.open_amount > 0 else InvoiceStatus.PAID
        credit_note.save(update_fields=["open_amount", "status", "updated_at"])
        settled = invoices_refresh_open_amount([invoice.id])
        event_record(
            organisation=organisation,
            debtor_id=invoice.debtor_id,
            invoice_id=invoice.id,
            kind=EventKind.CREDIT_NOTE_ALLOCATED,
            actor=actor,
            summary=" ".join(
                [
                    "Avoir",
                    credit_note.number,
                    "imputé sur",
                    invoice.number,
                    ":",
                    format_money(take, invoice.currency),
                ]
            ),
            data={
                "credit_note": credit_note.number,
                "invoice": invoice.number,
                "amount": format_amount(take),
            },
        )
        _record_settled(organisation, invoice.debtor_id, settled, actor)
        audit_record(
            organisation=organisation,
            actor=actor,
            action="create",
            object_type="allocation",
            object_id=credit_note.number,
            debtor_id=invoice.debtor_id,
            changes={
                "credit_note": credit_note.number,
                "invoice": invoice.number,
                "amount": format_amount(take),
            },
        )
    return take
