"""Reads reused by the command line, the web pages and the API. Run inside an organisation scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from recouvre.kernel.money import ZERO
from recouvre.law.domain.limitation import prescription_date
from recouvre.ledger.domain.ageing import AgedBalance, OpenItem, age_balance
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Allocation, Debtor, Invoice, Payment


def aged_balance(today: date, debtor: Debtor | None = None) -> AgedBalance:
    """Open invoices by lateness as they stood at the end of `today`: an invoice's open amount on
    that day is its amount less the allocations dated on or before it. Two grouped queries keep this
    set-based (the rows fed to the pure bucketing are one per due date, not one per invoice)."""
    invoices = Invoice.objects.filter(document_type=DocumentType.INVOICE, issue_date__lte=today)
    allocations = Allocation.objects.filter(
        invoice__document_type=DocumentType.INVOICE, invoice__issue_date__lte=today, date__gt=today
    )
    if debtor is not None:
        invoices = invoices.filter(debtor=debtor)
        allocations = allocations.filter(invoice__debtor=debtor)
    by_due: dict[date, Decimal] = {}
    for row in invoices.filter(open_amount__gt=0).values("due_date").annotate(total=Sum("open_amount")):
        by_due[row["due_date"]] = row["total"]
    for row in allocations.values("invoice__due_date").annotate(total=Sum("amount")):
        due = row["invoice__due_date"]
        by_due[due] = by_due.get(due, ZERO) + row["total"]
    return age_balance((OpenItem(due, total) for due, total in by_due.items()), today)


def unallocated_credit(today: date, debtor: Debtor | None = None) -> Decimal:
    """Credit the debtor holds: open credit notes plus payments not allocated (on account)."""
    credit_notes = Invoice.objects.filter(
        document_type=DocumentType.CREDIT_NOTE, issue_date__lte=today, status=InvoiceStatus.OPEN
    )
    payments = Payment.objects.filter(date__lte=today)
    allocated = Allocation.objects.filter(payment__isnull=False, payment__date__lte=today)
    if debtor is not None:
        credit_notes = credit_notes.filter(debtor=debtor)
        payments = payments.filter(debtor=debtor)
        allocated = allocated.filter(payment__debtor=debtor)
    total = credit_notes.aggregate(s=Sum("open_amount"))["s"] or ZERO
    total += (payments.aggregate(s=Sum("amount"))["s"] or ZERO) - (
        allocated.aggregate(s=Sum("amount"))["s"] or ZERO
    )
    return total


@dataclass(frozen=True)
class InvoiceAsOf:
    invoice: Invoice
    open_amount: Decimal
    status: str
    disputed: bool
    prescription_date: date | None


def invoices_as_of(invoices: Sequence[Invoice], today: date) -> dict[int, InvoiceAsOf]:
    """Each invoice as it stood at the end of `today`, in three queries whatever their number: open
    amount (allocations dated later added back), disputed that day, and the limitation date with the
    part-payments known by then (estimated payment dates never interrupt it)."""
    ids = [invoice.pk for invoice in invoices]
    later = dict(
        Allocation.objects.filter(invoice_id__in=ids, date__gt=today)
        .values("invoice_id")
        .annotate(total=Sum("amount"))
        .values_list("invoice_id", "total")
    )
    disputed = set(
        # One filter() call, so that both conditions hold for the same dispute.
        Invoice.objects.filter(
            Q(id__in=ids, disputes__opened_on__lte=today)
            & (Q(disputes__closed_on__isnull=True) | Q(disputes__closed_on__gt=today))
        ).values_list("id", flat=True)
    )
    interruptions: dict[int, list[date]] = defaultdict(list)
    for invoice_id, day in Allocation.objects.filter(
        invoice_id__in=ids, payment__isnull=False, payment__date_estimated=False, date__lte=today
    ).values_list("invoice_id", "date"):
        interruptions[invoice_id].append(day)
    states = {}
    for invoice in invoices:
        added_back = later.get(invoice.pk, ZERO)
        open_amount = invoice.open_amount + added_back
        if invoice.issue_date > today:
            status = "not_issued"
        elif invoice.status == InvoiceStatus.CANCELLED and added_back == 0:
            status = InvoiceStatus.CANCELLED
        else:
            status = InvoiceStatus.OPEN if open_amount > 0 else InvoiceStatus.PAID
        prescription = None
        if open_amount > 0 and invoice.document_type == DocumentType.INVOICE:
            prescription = prescription_date(
                debtor_type=invoice.debtor.debtor_type,
                due_date=invoice.due_date,
                delivery_date=invoice.delivery_date,
                interruptions=interruptions[invoice.pk],
            )
        states[invoice.pk] = InvoiceAsOf(invoice, open_amount, status, invoice.pk in disputed, prescription)
    return states


def invoice_as_of(invoice: Invoice, today: date) -> InvoiceAsOf:
    return invoices_as_of([invoice], today)[invoice.pk]


def debtor_search(query: str):  # type: ignore[no-untyped-def]
    """Debtors whose name, ref or SIREN matches, or who hold an invoice with that number."""
    debtors = Debtor.objects.all()
    query = query.strip()
    if not query:
        return debtors
    invoice_debtors = Invoice.objects.filter(number__iexact=query).values("debtor_id")
    return debtors.filter(
        Q(name__icontains=query)
        | Q(ref__icontains=query)
        | Q(siren=query.replace(" ", ""))
        | Q(id__in=invoice_debtors)
    )
