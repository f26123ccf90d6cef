"""Open invoices whose limitation date is near (french-law.md: warn 6 months and 1 month before), for the
back office's list and the Today page. Run inside an organisation scope.

Interruptions (part-payments, and acknowledgements, plans, court claims and enforcement measures recorded
on the invoice) and a later delivery only push a limitation date back, so the invoices whose plain due
date + period falls within the horizon are a superset of those at risk: an index range on (organisation,
status, due_date) finds them, then each one's real date comes from invoices_as_of, the one place that
knows what interrupts limitation (a message never does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from recouvre.law.domain.limitation import YEARS_BY_DEBTOR_TYPE, add_months, add_years
from recouvre.ledger.domain.queries import invoices_as_of
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Invoice

WARN_MONTHS = 6
URGENT_MONTHS = 1
# A page shows this many; the count says how many there are.
SHOWN = 500


@dataclass(frozen=True)
class AtRisk:
    invoice: Invoice
    open_amount: Decimal
    prescription_date: date
    urgent: bool  # within a month
    lapsed: bool  # already past: only an acknowledgement by the debtor could revive the claim


def _candidates(today: date) -> Q:
    horizon = add_months(today, WARN_MONTHS)
    by_type = Q()
    for debtor_type, years in YEARS_BY_DEBTOR_TYPE.items():
        by_type |= Q(debtor__debtor_type=debtor_type, due_date__lte=add_years(horizon, -years))
    return Q(document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0) & by_type


def invoices_at_risk(today: date, shown: int = SHOWN) -> tuple[list[AtRisk], int]:
    """(the `shown` nearest limitation dates first, how many invoices are at risk in all)."""
    horizon = add_months(today, WARN_MONTHS)
    urgent = add_months(today, URGENT_MONTHS)
    candidates = list(
        Invoice.objects.filter(_candidates(today)).select_related("debtor").order_by("due_date")
    )
    risks = []
    for state in invoices_as_of(candidates, today).values():
        when = state.prescription_date
        if when is None or state.open_amount <= 0 or when > horizon:
            continue
        risks.append(AtRisk(state.invoice, state.open_amount, when, when <= urgent, when < today))
    risks.sort(key=lambda risk: (risk.prescription_date, risk.invoice.number))
    return risks[:shown], len(risks)
