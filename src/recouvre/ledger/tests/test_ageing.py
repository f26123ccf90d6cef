from datetime import date
from decimal import Decimal

import pytest

from recouvre.ledger.domain.ageing import OpenItem, age_balance, bucket_for, days_overdue

pytestmark = pytest.mark.unit
TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("due", "bucket"),
    [
        (date(2026, 12, 1), "not_due"),
        (TODAY, "not_due"),  # due today is not late yet
        (date(2026, 11, 21), "1-30"),
        (date(2026, 10, 23), "1-30"),  # 30 days
        (date(2026, 10, 22), "31-60"),  # 31 days
        (date(2026, 9, 23), "31-60"),  # 60 days
        (date(2026, 9, 22), "61-90"),
        (date(2026, 8, 24), "61-90"),  # 90 days
        (date(2026, 8, 23), "91+"),
    ],
)
def test_bucket_boundaries(due, bucket):
    assert bucket_for(due, TODAY) == bucket


def test_days_overdue_never_negative():
    assert days_overdue(date(2026, 12, 31), TODAY) == 0
    assert days_overdue(date(2026, 11, 1), TODAY) == 21


def test_age_balance_sums_to_the_cent():
    items = [
        OpenItem(date(2026, 12, 1), Decimal("0.10")),
        OpenItem(date(2026, 12, 1), Decimal("0.20")),
        OpenItem(date(2026, 11, 1), Decimal("1234.56")),
        OpenItem(date(2026, 9, 1), Decimal("0.01")),
        OpenItem(date(2025, 1, 1), Decimal("99999999.99")),
        OpenItem(date(2025, 1, 1), Decimal("0.00")),
    ]
    balance = age_balance(items, TODAY)
    assert balance.buckets == {
        "not_due": Decimal("0.30"),
        "1-30": Decimal("1234.56"),
        "31-60": Decimal("0.00"),
        "61-90": Decimal("0.01"),
        "91+": Decimal("99999999.99"),
    }
    assert balance.total == Decimal("100001234.86")
