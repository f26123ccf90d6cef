"""The aged balance: open amounts by how late they are on a given day. Pure; `today` is passed in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

BUCKETS: tuple[str, ...] = ("not_due", "1-30", "31-60", "61-90", "91+")
_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class OpenItem:
    due_date: date
    open_amount: Decimal


@dataclass(frozen=True, slots=True)
class AgedBalance:
    today: date
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, _ZERO))

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), _ZERO)


def days_overdue(due_date: date, today: date) -> int:
    """Days past the due date; 0 on the due date itself and before it."""
    return max((today - due_date).days, 0)


def bucket_for(due_date: date, today: date) -> str:
    days = days_overdue(due_date, today)
    if days == 0:
        return "not_due"
    if days <= 30:
        return "1-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "91+"


def age_balance(items: Iterable[OpenItem], today: date) -> AgedBalance:
    buckets = dict.fromkeys(BUCKETS, _ZERO)
    for item in items:
        if item.open_amount:
            key = bucket_for(item.due_date, today)
            buckets[key] += item.open_amount
    return AgedBalance(today=today, buckets=buckets)
