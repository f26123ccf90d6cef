"""Allocating money received to open invoices (lettrage). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    id: int
    number: str
    issue_date: date
    due_date: date
    open_amount: Decimal


@dataclass(frozen=True, slots=True)
class Share:
    invoice_id: int
    number: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    shares: tuple[Share, ...]
    # What no open invoice absorbs stays on the debtor's account as a credit.
    unallocated: Decimal


def allocate_oldest_first(amount: Decimal, invoices: Sequence[OpenInvoice]) -> AllocationPlan:
    """The oldest due invoice first (then oldest issued, then by number, so the order is total and
    the same on every run); each invoice takes at most its open amount."""
    if amount <= 0:
        raise ValueError("an amount to allocate must be positive")
    remaining = amount
    shares: list[Share] = []
    for invoice in sorted(invoices, key=lambda i: (i.due_date, i.issue_date, i.number)):
        if remaining <= 0:
            break
        if invoice.open_amount <= 0:
            continue
        take = min(remaining, invoice.open_amount)
        shares.append(Share(invoice.id, invoice.number, take))
        remaining -= take
    return AllocationPlan(shares=tuple(shares), unallocated=max(remaining, _ZERO))
