"""Limitation (prescription) of an invoice: french-law.md § Limitation, digest § 3.

The period runs from the due date, or from the delivery/service date when that is later and known;
an acknowledgement by the debtor (a part-payment, a signed payment plan), a court claim or an
enforcement measure starts a new full period. A reminder or a formal notice never does: callers must
not pass message dates here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

YEARS_BY_DEBTOR_TYPE = {"B2B": 5, "B2C": 2, "PUBLIC": 5}


def add_years(start: date, years: int) -> date:
    """Same day-number `years` later; 29 February falls back to 28 February (CPC 641)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def prescription_date(
    *,
    debtor_type: str,
    due_date: date,
    delivery_date: date | None = None,
    interruptions: Iterable[date] = (),
) -> date:
    years = YEARS_BY_DEBTOR_TYPE[debtor_type]
    start = max(due_date, delivery_date) if delivery_date else due_date
    for interruption in interruptions:
        if interruption > start:
            start = interruption
    return add_years(start, years)


def add_months(start: date, months: int) -> date:
    """Same day-number `months` later (or earlier); a day the month lacks falls back to its last day."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, min(start.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")
