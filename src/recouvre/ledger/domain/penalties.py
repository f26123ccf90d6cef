"""Late-payment penalties of a ledger invoice as of a day: reads its principal timeline (its amount
and the principal shares of its allocations by date, payments and credit notes alike), the interest
already paid by interest shares, and hands them to the pure computation (`law.domain.penalties`).

The debtor's type decides the regime; the rate is the invoice's contractual rate, else the debtor's,
else the organisation's (B2B only; the pure core applies the 3x floor); the divisor and the
interest-first imputation are organisation settings. Run inside an organisation scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from recouvre.law.domain.penalties import B2B, Penalties, penalties_compute
from recouvre.law.domain.rates import RateTable, table_in_force
from recouvre.ledger.enums import AllocationPart, DocumentType, InvoiceStatus
from recouvre.ledger.models import Allocation, Invoice
from recouvre.tenancy.domain.organisation_settings import organisation_settings
from recouvre.tenancy.domain.settings import LawSettings
from recouvre.tenancy.models import Organisation


class NoPenalties(ValueError):
    """The document cannot bear penalties (a credit note, a cancelled invoice)."""


def rate_table() -> RateTable:
    """The table in force: the packaged one unless a newer one was loaded (`recouvre rates update`)."""
    return table_in_force(Path(settings.DATA_DIR))


def law_settings(organisation_id: int) -> LawSettings:
    """Read afresh: a page or a payment must follow a setting changed a moment ago."""
    return organisation_settings(Organisation.objects.only("settings").get(pk=organisation_id)).law


@dataclass
class _Shares:
    principal: list[tuple[date, Decimal]] = field(default_factory=list)
    interest: list[tuple[date, Decimal]] = field(default_factory=list)


def _shares(invoices: Sequence[Invoice]) -> dict[int, _Shares]:
    shares = {invoice.pk: _Shares() for invoice in invoices}
    for invoice_id, day, amount, part in Allocation.objects.filter(invoice__in=invoices).values_list(
        "invoice_id", "date", "amount", "part"
    ):
        target = shares[invoice_id]
        (target.interest if part == AllocationPart.INTEREST else target.principal).append((day, amount))
    return shares


def invoice_penalties(
    invoice: Invoice,
    as_of: date,
    *,
    table: RateTable | None = None,
    formal_notice: date | None = None,
) -> Penalties:
    """`formal_notice` (B2C: when legal interest starts) defaults to the invoice's first formal notice."""
    if invoice.document_type != DocumentType.INVOICE:
        raise NoPenalties(f"{invoice.number} is a credit note: it bears no penalties")
    if invoice.status == InvoiceStatus.CANCELLED:
        raise NoPenalties(f"{invoice.number} is cancelled: it bears no penalties")
    law = law_settings(invoice.organisation_id)
    shares = _shares([invoice])[invoice.pk]
    return _compute(invoice, shares, as_of, table or rate_table(), law, formal_notice)


def invoices_penalties(
    invoices: Sequence[Invoice], as_of: date, *, table: RateTable | None = None
) -> dict[int, Penalties]:
    """The penalties of several invoices of one organisation (open invoices, not credit notes nor
    cancelled ones), their allocations read in one query and the settings once."""
    bearing = [
        i for i in invoices if i.document_type == DocumentType.INVOICE and i.status != InvoiceStatus.CANCELLED
    ]
    if not bearing:
        return {}
    table = table or rate_table()
    law = law_settings(bearing[0].organisation_id)
    shares = _shares(bearing)
    return {i.pk: _compute(i, shares[i.pk], as_of, table, law, None) for i in bearing}


def contractual_rate_of(invoice: Invoice, law: LawSettings) -> Decimal | None:
    """The most specific agreed rate: the invoice's, else its debtor's, else the organisation's."""
    for rate in (invoice.contractual_rate, invoice.debtor.contractual_rate, law.contractual_rate):
        if rate is not None:
            return rate
    return None


def _compute(
    invoice: Invoice,
    shares: _Shares,
    as_of: date,
    table: RateTable,
    law: LawSettings,
    formal_notice: date | None,
) -> Penalties:
    debtor = invoice.debtor
    regime = debtor.debtor_type
    return penalties_compute(
        amount=invoice.amount,
        due_date=invoice.due_date,
        reductions=shares.principal,
        as_of=as_of,
        table=table,
        regime=regime,
        contractual_rate=contractual_rate_of(invoice, law) if regime == B2B else None,
        formal_notice=formal_notice if formal_notice is not None else invoice.formal_notice_on,
        divisor=law.divisor,
        interest_payments=shares.interest,
        insolvency_since=debtor.insolvency_since,
    )
