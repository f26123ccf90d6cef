"""The debtor list and the debtor page: read-only in this issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from recouvre.audit.domain.services import audit_record
from recouvre.audit.enums import AuditAction, Channel
from recouvre.backoffice.listing import bucket_rows
from recouvre.backoffice.views.access import client_ip, membership_required, paris_today
from recouvre.ledger.domain.ageing import days_overdue
from recouvre.ledger.domain.queries import aged_balance, invoices_as_of, unallocated_credit
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Allocation, Debtor, Invoice
from recouvre.timeline.models import Event

PAGE_SIZE = 50
# A debtor's history can run to thousands of events over years; the page shows the recent ones.
TIMELINE_LIMIT = 200

STATUS_LABELS = {**dict(InvoiceStatus.choices), "not_issued": _("Non émise")}


@dataclass(frozen=True)
class OpenInvoiceRow:
    invoice: Invoice
    open_amount: Decimal
    status: str
    status_label: str
    disputed: bool
    prescription_date: date | None
    days_late: int


def _open_invoice_rows(invoices: list[Invoice], today: date) -> list[OpenInvoiceRow]:
    rows = []
    # One truth for "as of today" (future-dated allocations, disputes, limitation): the ledger's.
    states = invoices_as_of(invoices, today)
    for invoice in invoices:
        state = states[invoice.pk]
        rows.append(
            OpenInvoiceRow(
                invoice=invoice,
                open_amount=state.open_amount,
                status=state.status,
                status_label=str(STATUS_LABELS.get(state.status, state.status)),
                disputed=state.disputed,
                prescription_date=state.prescription_date,
                days_late=days_overdue(invoice.due_date, today),
            )
        )
    return rows


@membership_required
def debtor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = paris_today()
    # The scope set by the middleware makes another organisation's debtor a plain 404.
    debtor = get_object_or_404(Debtor.objects.all(), pk=pk)
    invoices = list(debtor.invoices.select_related("applies_to").order_by("due_date", "number"))
    is_open = [
        i.document_type == DocumentType.INVOICE and i.status == InvoiceStatus.OPEN and i.open_amount > 0
        for i in invoices
    ]
    open_invoices = [i for i, o in zip(invoices, is_open, strict=True) if o]
    closed_invoices = [i for i, o in zip(invoices, is_open, strict=True) if not o]
    payments = list(
        debtor.payments.prefetch_related(
            Prefetch(
                "allocations", queryset=Allocation.objects.select_related("invoice").order_by("date", "id")
            )
        )
    )
    for payment in payments:
        payment.unallocated = payment.amount - sum(
            (a.amount for a in payment.allocations.all()), Decimal("0")
        )
    events = Event.objects.filter(debtor=debtor).select_related("actor", "invoice")
    aged = aged_balance(today, debtor=debtor)
    context = {
        "debtor": debtor,
        "today": today,
        "contacts": list(debtor.contacts.all()),
        "open_rows": _open_invoice_rows(open_invoices, today),
        "closed_invoices": closed_invoices,
        "payments": payments,
        "events": list(events[:TIMELINE_LIMIT]),
        "event_count": events.count(),
        "timeline_limit": TIMELINE_LIMIT,
        "aged": aged,
        "buckets": bucket_rows(aged),
        "credit": unallocated_credit(today, debtor=debtor),
    }
    # Every look at a debtor's personal data is recorded (GDPR access requests list them).
    audit_record(
        organisation=request.organisation,  # type: ignore[attr-defined]
        actor=request.user,
        action=AuditAction.VIEW,
        channel=Channel.WEB,
        object_type="debtor",
        object_id=debtor.pk,
        debtor_id=debtor.pk,
        path=request.get_full_path(),
        ip=client_ip(request),
    )
    return render(request, "backoffice/debtors/detail.html", context)
