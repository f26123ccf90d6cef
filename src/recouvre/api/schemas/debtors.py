from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from recouvre.api.schemas.common import AgedBalanceOut, Amount, PageMeta


class DebtorSummaryOut(Schema):
    ref: str
    name: str
    debtor_type: str
    segment: str
    siren: str
    city: str
    country: str
    open_amount: Amount
    open_invoices: int


class DebtorPageOut(PageMeta):
    items: list[DebtorSummaryOut]


class ContactOut(Schema):
    kind: str
    value: str
    name: str
    is_mobile: bool
    valid: bool


class DebtorOut(DebtorSummaryOut):
    vat_number: str
    address: str
    postcode: str
    language: str
    do_not_contact: bool
    redacted: bool
    contacts: list[ContactOut]
    overdue_amount: Amount
    unallocated_credit: Amount
    aged_balance: AgedBalanceOut


class EventOut(Schema):
    id: int
    kind: str
    occurred_at: dt.datetime
    invoice: str | None
    actor: str | None
    summary: str
    data: dict[str, Any]


class TimelinePageOut(PageMeta):
    debtor_ref: str
    items: list[EventOut]
