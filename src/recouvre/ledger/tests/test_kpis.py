"""The headline figures' arithmetic, on worked numbers (pure: no database)."""

from datetime import date
from decimal import Decimal

import pytest

from recouvre.ledger.domain.kpis import (
    Bar,
    CashCollected,
    bars,
    cash_periods,
    count_back_dso,
    month_end,
    months_back,
    percent_change,
    sales_by_month,
    same_day_last_month,
)

TODAY = date(2026, 11, 22)
D = Decimal


def test_the_worked_example_of_the_definition():
    # 30 000 open; Nov 1-22 sold 10 000 (22 days), October 15 000 (31 days), September 20 000 of
    # which 5 000 remain: 22 + 31 + 30 x 5 000 / 20 000 = 60.5 → 61 days (half up).
    sales = {date(2026, 11, 1): D("10000"), date(2026, 10, 1): D("15000"), date(2026, 9, 1): D("20000")}
    dso = count_back_dso(D("30000"), sales, TODAY)
    assert dso.days == 61
    assert dso.since == date(2026, 9, 1)
    assert not dso.exceeded
    assert dso.receivables == D("30000")


def test_receivables_covered_by_this_month_count_a_share_of_its_days_so_far():
    # 5 000 open against 11 000 sold in the 22 days of November: 22 x 5/11 = 10 days.
    dso = count_back_dso(D("5000"), {date(2026, 11, 1): D("11000")}, TODAY)
    assert dso.days == 10
    assert dso.since == date(2026, 11, 1)


def test_a_month_without_sales_counts_all_its_days():
    sales = {date(2026, 11, 1): D("1000"), date(2026, 9, 1): D("3000")}
    # 1 000 taken by November (22 days), October sold nothing (31 days), September: 30 x 1 500 / 3 000.
    assert count_back_dso(D("2500"), sales, TODAY).days == 22 + 31 + 15


def test_receivables_beyond_the_months_looked_at_are_reported_as_at_least():
    sales = {date(2026, 11, 1): D("100"), date(2026, 10, 1): D("100")}
    dso = count_back_dso(D("1000"), sales, TODAY, months=3)
    # 22 (Nov so far) + 31 (Oct) + 30 (Sep), and still 800 left over.
    assert dso.days == 83
    assert dso.exceeded
    assert dso.since == date(2026, 9, 1)


def test_nothing_open_has_no_dso():
    dso = count_back_dso(D("0.00"), {date(2026, 11, 1): D("500")}, TODAY)
    assert dso.days is None
    assert not dso.exceeded


def test_february_and_year_boundaries():
    today = date(2027, 1, 10)
    sales = {date(2027, 1, 1): D("1000"), date(2026, 12, 1): D("3100")}
    # 10 days for January, then 31 x 1 550 / 3 100 = 15.5 → 16 for December.
    assert count_back_dso(D("2550"), sales, today).days == 26
    assert months_back(today, 1) == date(2026, 12, 1)
    assert months_back(today, 13) == date(2025, 12, 1)
    assert month_end(date(2028, 2, 5)) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 22), date(2026, 10, 22)),
        (date(2026, 3, 31), date(2026, 2, 28)),
        (date(2028, 3, 31), date(2028, 2, 29)),
        (date(2026, 1, 15), date(2025, 12, 15)),
    ],
)
def test_the_same_day_last_month_is_capped_at_its_last_day(today, expected):
    assert same_day_last_month(today) == expected


def test_cash_periods():
    periods = cash_periods(date(2026, 3, 31))
    assert periods.this_month_start == date(2026, 3, 1)
    assert periods.last_month_start == date(2026, 2, 1)
    assert periods.last_month_same_day == date(2026, 2, 28)
    assert periods.last_month_end == date(2026, 2, 28)


def test_cash_collected_compares_like_with_like():
    cash = CashCollected(
        periods=cash_periods(TODAY),
        this_month=D("12300.00"),
        last_month_to_date=D("10000.00"),
        last_month=D("15000.00"),
    )
    assert cash.change_percent == D("23.0")


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (D("750"), D("1000"), D("-25.0")),
        (D("1000"), D("3000"), D("-66.7")),
        (D("1000.05"), D("1000"), D("0.0")),
        (D("500"), D("0"), None),
        (D("0"), D("0"), None),
    ],
)
def test_percent_change(current, previous, expected):
    assert percent_change(current, previous) == expected


def test_bars_are_scaled_to_the_largest_amount():
    result = bars([("a", D("1000")), ("b", D("250")), ("c", D("0")), ("d", D("1"))])
    assert result == [
        Bar("a", D("1000"), 100),
        Bar("b", D("250"), 25),
        Bar("c", D("0"), 0),
        # Tiny but not nothing: still visible.
        Bar("d", D("1"), 1),
    ]


def test_bars_of_nothing_are_empty():
    assert [bar.width for bar in bars([("a", D("0")), ("b", D("0"))])] == [0, 0]


def test_daily_sales_fold_into_months():
    daily = [
        (date(2026, 10, 31), D("10.00")),
        (date(2026, 11, 1), D("1.50")),
        (date(2026, 11, 22), D("2.50")),
        (date(2025, 12, 5), D("7.00")),
    ]
    assert sales_by_month(daily) == {
        date(2025, 12, 1): D("7.00"),
        date(2026, 10, 1): D("10.00"),
        date(2026, 11, 1): D("4.00"),
    }
    assert sales_by_month([]) == {}
