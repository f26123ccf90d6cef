from datetime import date
from decimal import Decimal

import pytest

from recouvre.ledger.domain.allocation import INTEREST, PRINCIPAL, OpenInvoice, allocate_oldest_first

pytestmark = pytest.mark.unit


def inv(id_, due, amount, issue=date(2026, 1, 1), number=None):
    return OpenInvoice(id_, number or f"F-{id_}", issue, due, Decimal(amount))


def test_oldest_due_first_then_remainder_on_account():
    plan = allocate_oldest_first(
        Decimal("250.00"),
        [
            inv(1, date(2026, 3, 1), "100.00"),
            inv(2, date(2026, 2, 1), "100.00"),
            inv(3, date(2026, 4, 1), "30.00"),
        ],
    )
    assert [(s.invoice_id, s.amount) for s in plan.shares] == [
        (2, Decimal("100.00")),
        (1, Decimal("100.00")),
        (3, Decimal("30.00")),
    ]
    assert plan.unallocated == Decimal("20.00")


def test_partial_share_on_the_last_invoice_reached():
    plan = allocate_oldest_first(
        Decimal("150.00"), [inv(1, date(2026, 2, 1), "100.00"), inv(2, date(2026, 3, 1), "100.00")]
    )
    assert [(s.invoice_id, s.amount) for s in plan.shares] == [(1, Decimal("100.00")), (2, Decimal("50.00"))]
    assert plan.unallocated == Decimal("0.00")


def test_same_due_date_ordered_by_issue_then_number():
    plan = allocate_oldest_first(
        Decimal("10.00"),
        [
            inv(1, date(2026, 2, 1), "10.00", issue=date(2026, 1, 5), number="B"),
            inv(2, date(2026, 2, 1), "10.00", issue=date(2026, 1, 5), number="A"),
            inv(3, date(2026, 2, 1), "10.00", issue=date(2026, 1, 4), number="C"),
        ],
    )
    assert [s.number for s in plan.shares] == ["C"]


def test_nothing_open_leaves_everything_on_account():
    plan = allocate_oldest_first(Decimal("5.00"), [])
    assert plan.shares == ()
    assert plan.unallocated == Decimal("5.00")


def test_amount_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        allocate_oldest_first(Decimal("0"), [])


# --- interest first (C. civ. 1343-1) ----------------------------------------------------------------


def with_interest(id_, due, amount, interest):
    return OpenInvoice(id_, f"F-{id_}", date(2026, 1, 1), due, Decimal(amount), Decimal(interest))


def test_each_invoice_takes_its_interest_then_its_principal_before_the_next():
    plan = allocate_oldest_first(
        Decimal("1100.00"),
        [
            with_interest(2, date(2024, 4, 1), "2000.00", "2.38"),
            with_interest(1, date(2024, 3, 1), "1000.00", "24.23"),
        ],
    )
    assert [(s.invoice_id, s.part, s.amount) for s in plan.shares] == [
        (1, INTEREST, Decimal("24.23")),
        (1, PRINCIPAL, Decimal("1000.00")),
        (2, INTEREST, Decimal("2.38")),
        (2, PRINCIPAL, Decimal("73.39")),
    ]
    assert plan.unallocated == Decimal("0.00")


def test_a_payment_smaller_than_the_interest_pays_interest_only():
    plan = allocate_oldest_first(Decimal("10.00"), [with_interest(1, date(2024, 3, 1), "1000.00", "24.23")])
    assert [(s.part, s.amount) for s in plan.shares] == [(INTEREST, Decimal("10.00"))]


def test_no_interest_due_gives_principal_shares_only():
    plan = allocate_oldest_first(Decimal("50.00"), [inv(1, date(2026, 2, 1), "100.00")])
    assert [(s.part, s.amount) for s in plan.shares] == [(PRINCIPAL, Decimal("50.00"))]


def test_parts_are_the_allocation_part_values():
    from recouvre.ledger.enums import AllocationPart

    assert (AllocationPart.PRINCIPAL.value, AllocationPart.INTEREST.value) == (PRINCIPAL, INTEREST)
