"""Reads behind the headline figures of the Today page. Run inside an organisation scope.

Each figure is one or two grouped aggregates in the database (never a loop over invoices or
payments in Python); the arithmetic is done by the pure `ledger.domain.kpis`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum

from recouvre.kernel.money import ZERO
from recouvre.ledger.domain.ageing import AgedBalance
from recouvre.ledger.domain.kpis import (
    DSO_MONTHS,
    CashCollected,
    Dso,
    cash_periods,
    count_back_dso,
    months_back,
    sales_by_month,
)
from recouvre.ledger.domain.queries import aged_balance
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Invoice, Payment


@dataclass(frozen=True)
class Headline:
    aged: AgedBalance
    dso: Dso
    cash: CashCollected

    @property
    def open_total(self) -> Decimal:
        return self.aged.total

    @property
    def overdue_total(self) -> Decimal:
        return self.aged.total - self.aged.buckets["not_due"]


def headline_figures(today: date) -> Headline:
    aged = aged_balance(today)
    return Headline(aged=aged, dso=dso_count_back(aged.total, today), cash=cash_collected(today))


# Most receivables are younger than this: their DSO needs only the sales of these recent months, and
# reading them alone is much cheaper than a year of invoices. Older months are read when needed.
DSO_RECENT_MONTHS = 4


def dso_count_back(receivables: Decimal, today: date) -> Dso:
    recent_start = months_back(today, DSO_RECENT_MONTHS - 1)
    sales = monthly_sales(recent_start, today)
    dso = count_back_dso(receivables, sales, today, months=DSO_RECENT_MONTHS)
    if not dso.exceeded:
        return dso
    sales |= monthly_sales(months_back(today, DSO_MONTHS - 1), recent_start - timedelta(days=1))
    return count_back_dso(receivables, sales, today, months=DSO_MONTHS)


def monthly_sales(start: date, end: date) -> dict[date, Decimal]:
    """Invoiced sales by month of issue, of the invoices issued from `start` to `end` (inclusive).
    Cancelled invoices were never owed; credit notes are left out (see kpis: the DSO's definition).

    Grouped by day in the database and folded into months in Python (at most a year of rows): a
    plain date is cheaper to group by than a truncation computed for every invoice."""
    daily = (
        Invoice.objects.filter(document_type=DocumentType.INVOICE, issue_date__gte=start, issue_date__lte=end)
        .exclude(status=InvoiceStatus.CANCELLED)
        .values("issue_date")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("issue_date", "total")
    )
    return sales_by_month(daily)


def cash_collected(today: date) -> CashCollected:
    """Payments received by their date (not by when they were recorded): this month so far, the same
    days of last month and the whole of last month, in one pass over two months of payments."""
    periods = cash_periods(today)
    totals = Payment.objects.filter(date__gte=periods.last_month_start, date__lte=today).aggregate(
        this_month=Sum("amount", filter=Q(date__gte=periods.this_month_start)),
        last_month_to_date=Sum("amount", filter=Q(date__lte=periods.last_month_same_day)),
        last_month=Sum("amount", filter=Q(date__lte=periods.last_month_end)),
    )
    return CashCollected(
        periods=periods,
        this_month=totals["this_month"] or ZERO,
        last_month_to_date=totals["last_month_to_date"] or ZERO,
        last_month=totals["last_month"] or ZERO,
    )
