"""Invoices and credit notes: filtered lists and one document as of a day."""

import datetime as dt
from typing import Any, Literal

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from ninja import Query, Router

from recouvre.api.common import DEFAULT_LIMIT, amount, audit, not_found, page, today
from recouvre.api.schemas.common import ERRORS, Limit, Offset
from recouvre.api.schemas.invoices import InvoiceOut, InvoicePageOut
from recouvre.audit.enums import AuditAction
from recouvre.disputes.enums import DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.ledger.domain.ageing import days_overdue
from recouvre.ledger.domain.queries import invoice_as_of
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Invoice

router = Router(tags=["invoices"])


def _summary(
    invoice: Invoice, *, day: dt.date, open_amount: Any, status: str, disputed: bool
) -> dict[str, Any]:
    late = status == InvoiceStatus.OPEN and not invoice.is_credit_note
    return {
        "invoice": invoice.number,
        "debtor_ref": invoice.debtor.ref,
        "document_type": invoice.document_type,
        "amount": amount(invoice.amount),
        "open_amount": amount(open_amount),
        "currency": invoice.currency,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "status": status,
        "disputed": disputed,
        "days_overdue": days_overdue(invoice.due_date, day) if late else 0,
    }


@router.get("", response={200: InvoicePageOut, **ERRORS}, summary="List invoices")
def invoice_list(
    request: HttpRequest,
    debtor: str = Query("", description="Only this debtor's invoices (its ref)"),
    status: Literal["open", "paid", "cancelled"] | None = None,
    document_type: Literal["invoice", "credit_note"] | None = None,
    overdue: bool = Query(False, description="Only open invoices past their due date today"),
    due_before: dt.date | None = Query(None, description="Due strictly before this day"),  # noqa: B008
    due_after: dt.date | None = Query(None, description="Due strictly after this day"),  # noqa: B008
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    day = today()
    open_dispute = Dispute.objects.filter(invoice=OuterRef("pk"), status=DisputeStatus.OPEN)
    invoices = Invoice.objects.select_related("debtor").annotate(disputed=Exists(open_dispute))
    if debtor:
        invoices = invoices.filter(debtor__ref=debtor)
    if status:
        invoices = invoices.filter(status=status)
    if document_type:
        invoices = invoices.filter(document_type=document_type)
    if overdue:
        invoices = invoices.filter(
            document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0, due_date__lt=day
        )
    if due_before:
        invoices = invoices.filter(due_date__lt=due_before)
    if due_after:
        invoices = invoices.filter(due_date__gt=due_after)
    count, rows = page(invoices.order_by("due_date", "number", "pk"), limit, offset)
    items = [
        _summary(i, day=day, open_amount=i.open_amount, status=i.status, disputed=i.disputed)  # type: ignore[attr-defined]
        for i in rows
    ]
    return {"count": count, "limit": limit, "offset": offset, "items": items}


@router.get("/{path:number}", response={200: InvoiceOut, **ERRORS}, summary="One invoice as of a day")
def invoice_detail(
    request: HttpRequest,
    number: str,
    date: dt.date | None = Query(None, description="The day to read the invoice as of (default: today)"),  # noqa: B008
) -> dict[str, Any]:
    day = date or today()
    invoice = Invoice.objects.select_related("debtor").filter(number=number).first()
    if invoice is None:
        raise not_found("invoice", number)
    state = invoice_as_of(invoice, day)
    audit(
        request,
        action=AuditAction.VIEW,
        object_type="invoice",
        object_id=invoice.pk,
        debtor_id=invoice.debtor_id,
    )
    return {
        **_summary(
            invoice, day=day, open_amount=state.open_amount, status=state.status, disputed=state.disputed
        ),
        "date": day,
        "prescription_date": state.prescription_date,
        "paid_date": invoice.paid_date,
        "delivery_date": invoice.delivery_date,
        "amount_excl_tax": amount(invoice.amount_excl_tax) if invoice.amount_excl_tax is not None else None,
        "po_number": invoice.po_number,
        "payment_terms": invoice.payment_terms,
    }
