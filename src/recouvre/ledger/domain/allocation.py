"""Allocating money received to open invoices (lettrage). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

_ZERO = Decimal("0.00")
# What a share settles: the values of ledger.enums.AllocationPart (this module imports no Django).
PRINCIPAL = "principal"
INTEREST = "interest"


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    id: int
    number: str
    issue_date: date
    due_date: date
    open_amount: Decimal
    # Late-payment interest due on the payment day, net of interest already paid: set only when the
    # organisation imputes payments on interest first (C. civ. 1343-1). Never the 40 EUR indemnity.
    interest_due: Decimal = _ZERO


@dataclass(frozen=True, slots=True)
class Share:
    invoice_id: int
    number: str
    amount: Decimal
    part: str = PRINCIPAL


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    shares: tuple[Share, ...]
    # What no open invoice absorbs stays on the debtor's account as a credit.
    unallocated: Decimal


def allocate_oldest_first(amount: Decimal, invoices: Sequence[OpenInvoice]) -> AllocationPlan:
    """The oldest due invoice first (then oldest issued, then by number, so the order is total and
    the same on every run); on each invoice, its interest due first, then its open principal, each
    taken at most in full before the next invoice is reached."""
    if amount <= 0:
        raise ValueError("an amount to allocate must be positive")
    remaining = amount
    shares: list[Share] = []
    for invoice in sorted(invoices, key=lambda i: (i.due_date, i.issue_date, i.number)):
        for part, owed in ((INTEREST, invoice.interest_due), (PRINCIPAL, invoice.open_amount)):
            if remaining <= 0 or owed <= 0:
                continue
            take = min(remaining, owed)
            shares.append(Share(invoice.id, invoice.number, take, part))
            remaining -= take
    return AllocationPlan(shares=tuple(shares), unallocated=max(remaining, _ZERO))
