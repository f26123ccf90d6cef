"""Open disputes by age band, worked out by hand on a calendar."""

from datetime import date
from decimal import Decimal

import pytest

from recouvre.disputes.domain.ageing import (
    BAND_KEYS,
    BANDS,
    answer_late,
    band_of,
    bands_total,
    dispute_age,
)

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("opened_on", "age", "band"),
    [
        (date(2026, 11, 22), 0, "0-7"),  # opened today
        (date(2026, 11, 15), 7, "0-7"),
        (date(2026, 11, 14), 8, "8-15"),
        (date(2026, 11, 7), 15, "8-15"),  # the answer is due today (15 days)
        (date(2026, 11, 6), 16, "16-30"),
        (date(2026, 10, 23), 30, "16-30"),
        (date(2026, 10, 22), 31, "31+"),
        (date(2025, 1, 1), 690, "31+"),
        (date(2026, 11, 30), 0, "0-7"),  # typed ahead: not negative
    ],
)
def test_age_and_band(opened_on, age, band):
    assert dispute_age(opened_on, TODAY) == age
    assert band_of(age).key == band


def test_each_band_gives_the_opening_dates_it_holds():
    bounds = {band.key: band.opened_between(TODAY) for band in BANDS}
    assert bounds == {
        "0-7": (date(2026, 11, 15), date(2026, 11, 22)),
        "8-15": (date(2026, 11, 7), date(2026, 11, 14)),
        "16-30": (date(2026, 10, 23), date(2026, 11, 6)),
        "31+": (None, date(2026, 10, 22)),
    }


def test_totals_per_band_count_and_add_the_amounts():
    disputes = [
        (date(2026, 11, 20), Decimal("100.00")),  # 2 days
        (date(2026, 11, 15), Decimal("50.50")),  # 7 days
        (date(2026, 11, 10), Decimal("1234.56")),  # 12 days
        (date(2026, 9, 1), Decimal("10.00")),  # 82 days
        (date(2026, 10, 22), Decimal("0.01")),  # 31 days
    ]
    totals = {band.key: (band.count, band.amount) for band in bands_total(disputes, TODAY)}
    assert totals == {
        "0-7": (2, Decimal("150.50")),
        "8-15": (1, Decimal("1234.56")),
        "16-30": (0, Decimal("0.00")),
        "31+": (2, Decimal("10.01")),
    }
    assert tuple(totals) == BAND_KEYS


def test_an_answer_is_late_the_day_after_it_was_due():
    assert not answer_late(date(2026, 11, 22), TODAY)
    assert answer_late(date(2026, 11, 21), TODAY)
    assert not answer_late(None, TODAY)
