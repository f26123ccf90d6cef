"""Reads reused by the command line, the web pages and the API. Run inside an organisation scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import CharField, F, Q, Sum, Value

from recouvre.kernel.money import ZERO
from recouvre.law.domain.limitation import prescription_date
from recouvre.ledger.domain.ageing import AgedBalance, OpenItem, age_balance
from recouvre.ledger.enums import AllocationPart, DocumentType, InvoiceStatus
from recouvre.ledger.models import Allocation, Debtor, Invoice, LimitationInterruption, Payment


def aged_balance(today: date, debtor: Debtor | None = None) -> AgedBalance:
    """Open invoices by lateness as they stood at the end of `today`: an invoice's open amount on
    that day is its amount less the allocations dated on or before it. Two grouped queries keep this
    set-based (the rows fed to the pure bucketing are one per due date, not one per invoice)."""
    invoices = Invoice.objects.filter(document_type=DocumentType.INVOICE, issue_date__lte=today)
    # Interest shares (interest-first imputation) never lowered the open amount: only principal is added back.
    allocations = Allocation.objects.filter(
        invoice__document_type=DocumentType.INVOICE,
        invoice__issue_date__lte=today,
        date__gt=today,
        part=AllocationPart.PRINCIPAL,
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


# What a limitation period runs from when no interruption moved it (LimitationStart.kind).
FROM_DUE_DATE = "due_date"
FROM_DELIVERY_DATE = "delivery_date"
# A part-payment is an acknowledgement by the debtor (C. civ. 2240): read from the allocations.
FROM_PART_PAYMENT = "part_payment"


@dataclass(frozen=True)
class LimitationStart:
    """Where an invoice's limitation period runs from: the due date, the delivery date, a
    part-payment, or a recorded interruption (its InterruptionKind value, with its reference)."""

    kind: str
    date: date
    reference: str = ""


@dataclass(frozen=True)
class InvoiceAsOf:
    invoice: Invoice
    open_amount: Decimal
    status: str
    disputed: bool
    prescription_date: date | None
    # None exactly when prescription_date is.
    limitation_start: LimitationStart | None = None


def _interruptions_as_of(ids: list[int], today: date) -> dict[int, list[LimitationStart]]:
    """What restarted each invoice's limitation by the end of `today`, in one query: real
    part-payments (an estimated payment date never interrupts) and the interruptions people recorded
    and did not withdraw. Messages are never read here: a reminder or a formal notice does not
    interrupt limitation (french-law.md)."""
    part_payments = (
        Allocation.objects.filter(
            invoice_id__in=ids, payment__isnull=False, payment__date_estimated=False, date__lte=today
        )
        .annotate(
            start_kind=Value(FROM_PART_PAYMENT, output_field=CharField()),
            start_reference=F("payment__reference"),
        )
        .values_list("invoice_id", "date", "start_kind", "start_reference")
        .order_by()
    )
    recorded = (
        LimitationInterruption.objects.filter(invoice_id__in=ids, withdrawn_at__isnull=True, date__lte=today)
        .annotate(start_kind=F("kind"), start_reference=F("reference"))
        .values_list("invoice_id", "date", "start_kind", "start_reference")
        .order_by()
    )
    marks: dict[int, list[LimitationStart]] = defaultdict(list)
    for invoice_id, day, kind, reference in part_payments.union(recorded, all=True):
        marks[invoice_id].append(LimitationStart(kind, day, reference or ""))
    return marks


def _limitation_start(invoice: Invoice, marks: list[LimitationStart]) -> LimitationStart:
    """The same choice as law.domain.limitation.prescription_date, kept to say where the date comes
    from: the later of due and delivery dates, then the latest interruption after it. On a tie a
    recorded interruption is named rather than a part-payment: it says more."""
    start = LimitationStart(FROM_DUE_DATE, invoice.due_date)
    if invoice.delivery_date and invoice.delivery_date > invoice.due_date:
        start = LimitationStart(FROM_DELIVERY_DATE, invoice.delivery_date)
    for mark in sorted(marks, key=lambda m: (m.date, m.kind != FROM_PART_PAYMENT)):
        if mark.date > start.date or (mark.date == start.date and start.kind == FROM_PART_PAYMENT):
            start = mark
    return start


def invoices_as_of(invoices: Sequence[Invoice], today: date) -> dict[int, InvoiceAsOf]:
    """Each invoice as it stood at the end of `today`, in three queries whatever their number: open
    amount (allocations dated later added back), disputed that day, and the limitation date with the
    part-payments and recorded interruptions known by then."""
    ids = [invoice.pk for invoice in invoices]
    later = dict(
        Allocation.objects.filter(invoice_id__in=ids, date__gt=today, part=AllocationPart.PRINCIPAL)
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
    interruptions = _interruptions_as_of(ids, today)
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
        prescription = start = None
        if open_amount > 0 and invoice.document_type == DocumentType.INVOICE:
            marks = interruptions[invoice.pk]
            prescription = prescription_date(
                debtor_type=invoice.debtor.debtor_type,
                due_date=invoice.due_date,
                delivery_date=invoice.delivery_date,
                interruptions=[mark.date for mark in marks],
            )
            start = _limitation_start(invoice, marks)
        states[invoice.pk] = InvoiceAsOf(
            invoice, open_amount, status, invoice.pk in disputed, prescription, start
        )
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
