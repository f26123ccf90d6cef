"""Late-payment penalties of a ledger invoice as of a day: reads its principal timeline (its amount
and every allocation by date, payments and credit notes alike) and hands it to the pure computation
(`law.domain.penalties`). The debtor's type decides the regime. Run inside an organisation scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from recouvre.law.domain.penalties import B2B, Penalties, penalties_compute
from recouvre.law.domain.rates import RateTable, table_in_force
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Allocation, Invoice


class NoPenalties(ValueError):
    """The document cannot bear penalties (a credit note, a cancelled invoice)."""


def rate_table() -> RateTable:
    """The table in force: the packaged one unless a newer one was loaded (`recouvre rates update`)."""
    return table_in_force(Path(settings.DATA_DIR))


def invoice_penalties(
    invoice: Invoice,
    as_of: date,
    *,
    table: RateTable | None = None,
    formal_notice: date | None = None,
) -> Penalties:
    if invoice.document_type != DocumentType.INVOICE:
        raise NoPenalties(f"{invoice.number} is a credit note: it bears no penalties")
    if invoice.status == InvoiceStatus.CANCELLED:
        raise NoPenalties(f"{invoice.number} is cancelled: it bears no penalties")
    reductions = list(Allocation.objects.filter(invoice=invoice).values_list("date", "amount"))
    return _compute(invoice, reductions, as_of, table or rate_table(), formal_notice)


def invoices_penalties(
    invoices: list[Invoice], as_of: date, *, table: RateTable | None = None
) -> dict[int, Penalties]:
    """The penalties of several invoices of one page (open invoices, not credit notes nor cancelled
    ones), their allocations read in one query."""
    table = table or rate_table()
    bearing = [
        i for i in invoices if i.document_type == DocumentType.INVOICE and i.status != InvoiceStatus.CANCELLED
    ]
    reductions: dict[int, list[tuple[date, Decimal]]] = {i.pk: [] for i in bearing}
    for invoice_id, day, amount in Allocation.objects.filter(invoice__in=bearing).values_list(
        "invoice_id", "date", "amount"
    ):
        reductions[invoice_id].append((day, amount))
    return {i.pk: _compute(i, reductions[i.pk], as_of, table, None) for i in bearing}


def _compute(
    invoice: Invoice,
    reductions: list[tuple[date, Decimal]],
    as_of: date,
    table: RateTable,
    formal_notice: date | None,
) -> Penalties:
    regime = invoice.debtor.debtor_type
    return penalties_compute(
        amount=invoice.amount,
        due_date=invoice.due_date,
        reductions=reductions,
        as_of=as_of,
        table=table,
        regime=regime,
        contractual_rate=invoice.contractual_rate if regime == B2B else None,
        formal_notice=formal_notice,
    )
