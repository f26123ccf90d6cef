"""Calendar months for the limitation warnings (6 months and 1 month before)."""

from datetime import date

import pytest

from recouvre.law.domain.limitation import add_months

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 11, 22), 6, date(2027, 5, 22)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 31), -2, date(2025, 11, 30)),
    ],
)
def test_add_months_keeps_the_day_or_falls_back_to_the_months_last(start, months, expected):
    assert add_months(start, months) == expected
