"""What every portal page shows about the debtor's account: its open invoices, what is owed and
overdue today, the promise in force. One definition for the pages of every portal module."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.kernel.money import ZERO
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Debtor, Invoice
from recouvre.portal import access


def open_invoices(debtor: Debtor) -> list[Invoice]:
    return list(
        Invoice.objects.filter(
            debtor=debtor, document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0
        ).order_by("due_date", "number")
    )


def account_context(request: HttpRequest, debtor: Debtor, organisation: Any) -> dict[str, Any]:
    invoices = open_invoices(debtor)
    today = access.paris_today()
    return {
        "debtor": debtor,
        "organisation": organisation,
        "token": request.portal_token,  # type: ignore[attr-defined]
        "language": request.portal_language,  # type: ignore[attr-defined]
        "invoices": invoices,
        "total": sum((i.open_amount for i in invoices), ZERO),
        "overdue": sum((i.open_amount for i in invoices if i.due_date < today), ZERO),
        "currency": invoices[0].currency if invoices else "EUR",
        "today": today,
        "promise": Promise.objects.filter(debtor=debtor, status=PromiseStatus.OPEN).first(),
    }
