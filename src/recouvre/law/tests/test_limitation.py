from datetime import date

import pytest

from recouvre.law.domain.limitation import add_years, prescription_date

pytestmark = pytest.mark.unit


def test_b2b_five_years_from_due_date():
    assert prescription_date(debtor_type="B2B", due_date=date(2024, 3, 15)) == date(2029, 3, 15)


def test_b2c_two_years():
    assert prescription_date(debtor_type="B2C", due_date=date(2024, 3, 15)) == date(2026, 3, 15)


def test_later_delivery_date_starts_the_period():
    assert prescription_date(
        debtor_type="B2B", due_date=date(2024, 3, 15), delivery_date=date(2024, 5, 2)
    ) == date(2029, 5, 2)
    # An earlier delivery does not move the start before the due date.
    assert prescription_date(
        debtor_type="B2B", due_date=date(2024, 3, 15), delivery_date=date(2024, 1, 2)
    ) == date(2029, 3, 15)


def test_part_payment_starts_a_new_full_period():
    assert prescription_date(
        debtor_type="B2B", due_date=date(2024, 3, 15), interruptions=[date(2025, 6, 30), date(2024, 12, 1)]
    ) == date(2030, 6, 30)


def test_29_february_falls_back_to_28():
    assert add_years(date(2024, 2, 29), 2) == date(2026, 2, 28)
    assert prescription_date(debtor_type="B2C", due_date=date(2024, 2, 29)) == date(2026, 2, 28)
