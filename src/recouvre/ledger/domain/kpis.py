"""Headline figures of the receivables: days sales outstanding and cash collected. Pure; `today` is
passed in and the amounts come already summed from `ledger.domain.kpi_queries`.

DSO (délai moyen de recouvrement, "count-back" method). The receivables are the open amounts of the
invoices issued on or before today (the aged balance's total; unallocated credit is not netted).
Starting with the current month (its 1st to today, so a partial period) and walking back one
calendar month at a time, each month's invoiced sales (invoices issued that month, cancelled ones
left out, credit notes not deducted) are taken off the receivables and that month's days are added,
until the receivables are used up; the month that exhausts them counts for the share of its days
that its sales covered: days x remaining / sales. Example on 22 November: 30 000 € open, sales
10 000 € (1-22 Nov), 15 000 € (October), 20 000 € (September) → 22 + 31 + 30 x 5 000 / 20 000 =
60.5 → 61 days. Unlike the standard formula (receivables / sales of the period x its days), a strong
or weak last month does not swing the figure: it is the age of the receivables in days of recent
sales. When the months looked at (`DSO_MONTHS`) do not cover the receivables, the DSO is at least
that many days and is reported as such (`Dso.exceeded`).

Cash collected compares this month so far (1st to today) with the same days of last month (1st to
the same day number, capped at the month's last day), so that the change in % compares like with
like on any day of the month; the whole of last month is given too."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

DSO_MONTHS = 12
_ZERO = Decimal("0.00")


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(day: date, count: int) -> date:
    """The first day of the month `count` months before `day`'s month."""
    index = day.year * 12 + (day.month - 1) - count
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def same_day_last_month(today: date) -> date:
    """The same day number last month, capped at that month's last day (31 March → 28/29 February)."""
    last_month = months_back(today, 1)
    return last_month.replace(day=min(today.day, calendar.monthrange(last_month.year, last_month.month)[1]))


@dataclass(frozen=True, slots=True)
class Dso:
    today: date
    receivables: Decimal
    # Whole days, rounded half up; None when nothing is open (no receivables, no delay).
    days: int | None
    # The first day of the oldest month whose sales were counted: the period the figure covers.
    since: date
    # The receivables outgrew the months looked at: the DSO is at least `days`.
    exceeded: bool = False


def count_back_dso(
    receivables: Decimal, monthly_sales: Mapping[date, Decimal], today: date, months: int = DSO_MONTHS
) -> Dso:
    """`monthly_sales` maps a month's first day to the sales invoiced in it (up to today for the
    current month); missing months had none."""
    if receivables <= 0:
        return Dso(today=today, receivables=receivables, days=None, since=month_start(today))
    remaining = receivables
    days = Decimal(0)
    since = month_start(today)
    for back in range(months):
        since = months_back(today, back)
        period_days = today.day if back == 0 else (month_end(since) - since).days + 1
        sales = monthly_sales.get(since, _ZERO)
        if sales >= remaining:
            days += Decimal(period_days) * remaining / sales
            return Dso(today=today, receivables=receivables, days=_whole(days), since=since)
        remaining -= sales
        days += period_days
    return Dso(today=today, receivables=receivables, days=_whole(days), since=since, exceeded=True)


def sales_by_month(daily: Iterable[tuple[date, Decimal]]) -> dict[date, Decimal]:
    """Daily sales (at most a year of days, already summed by the database) folded into months."""
    months: dict[date, Decimal] = {}
    for day, amount in daily:
        key = month_start(day)
        months[key] = months.get(key, _ZERO) + amount
    return months


def _whole(days: Decimal) -> int:
    return int(days.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class CashPeriods:
    """The three date ranges (inclusive) cash collected is summed over."""

    this_month_start: date
    today: date
    last_month_start: date
    last_month_same_day: date
    last_month_end: date


def cash_periods(today: date) -> CashPeriods:
    last_start = months_back(today, 1)
    return CashPeriods(
        this_month_start=month_start(today),
        today=today,
        last_month_start=last_start,
        last_month_same_day=same_day_last_month(today),
        last_month_end=month_start(today) - timedelta(days=1),
    )


@dataclass(frozen=True, slots=True)
class CashCollected:
    periods: CashPeriods
    this_month: Decimal
    last_month_to_date: Decimal
    last_month: Decimal

    @property
    def change_percent(self) -> Decimal | None:
        """This month so far against the same days of last month, in % with one decimal; None when
        nothing came in then (a change from zero has no percentage)."""
        return percent_change(self.this_month, self.last_month_to_date)


def percent_change(current: Decimal, previous: Decimal) -> Decimal | None:
    if previous <= 0:
        return None
    return ((current - previous) * 100 / previous).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Bar:
    key: str
    amount: Decimal
    # Width of the bar in % of the largest amount; a non-zero amount always shows at least 1 %.
    width: int


def bars(amounts: Iterable[tuple[str, Decimal]]) -> list[Bar]:
    pairs = list(amounts)
    largest = max((amount for _key, amount in pairs), default=_ZERO)
    result = []
    for key, amount in pairs:
        width = 0 if largest <= 0 or amount <= 0 else max(1, _whole(amount * 100 / largest))
        result.append(Bar(key=key, amount=amount, width=width))
    return result
