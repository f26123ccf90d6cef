from __future__ import annotations

import datetime as dt

from ninja import Schema

from recouvre.api.schemas.common import Amount, PageMeta


class InvoiceSummaryOut(Schema):
    invoice: str
    debtor_ref: str
    document_type: str
    amount: Amount
    open_amount: Amount
    currency: str
    issue_date: dt.date
    due_date: dt.date
    status: str
    disputed: bool
    days_overdue: int


class InvoicePageOut(PageMeta):
    items: list[InvoiceSummaryOut]


class InvoiceOut(InvoiceSummaryOut):
    """As `recouvre invoice show --json`, as of `date`, with a few more details."""

    date: dt.date
    prescription_date: dt.date | None
    paid_date: dt.date | None
    delivery_date: dt.date | None
    amount_excl_tax: Amount | None
    po_number: str
    payment_terms: str
