"""Interest already paid (interest-first imputation), the insolvency that stops the 40 EUR, and the
divisor. Expected figures are worked by hand from french-law.md, not read from the code.

Rates of the packaged table used here: H1-2024 ECB 4.50 → 14.50 %, H2-2024 ECB 4.25 → 14.25 %;
legal interest ("autres cas") H1-2024 5.07 → contractual floor 3 x 5.07 = 15.21 %."""

from datetime import date
from decimal import Decimal as D

import pytest

from recouvre.law.domain.penalties import B2B, B2C, PUBLIC, penalties_compute
from recouvre.law.domain.rates import PACKAGED_TABLE, read_rate_table

pytestmark = pytest.mark.unit

TABLE = read_rate_table(PACKAGED_TABLE)
DUE = date(2024, 3, 1)
PAID_ON = date(2024, 5, 1)
AS_OF = date(2024, 8, 1)


def compute(reductions=(), as_of=AS_OF, **kw):
    return penalties_compute(
        amount=D("1000.00"), due_date=DUE, reductions=list(reductions), as_of=as_of, table=TABLE, **kw
    )


def test_interest_first_imputation_of_the_worked_example():
    # 500.00 paid on 2024-05-01 with interest first: 61 days at 14.50 % on 1,000.00 =
    # 1000 x 0.145 x 61 / 365 = 24.2329 → 24.23 of interest, 475.77 of principal; 524.23 stays open.
    # Then 60 days at 14.50 % on 524.23 = 12.4953 → 12.50 and 32 days at 14.25 % = 6.5493 → 6.55.
    result = compute([(PAID_ON, D("475.77"))], interest_payments=[(PAID_ON, D("24.23"))])
    assert [(p.days, p.principal, p.amount) for p in result.periods] == [
        (61, D("1000.00"), D("24.23")),
        (60, D("524.23"), D("12.50")),
        (32, D("524.23"), D("6.55")),
    ]
    assert result.open_principal == D("524.23")
    assert result.interest == D("43.28")
    assert result.interest_paid == D("24.23")
    assert result.interest_due == D("19.05")
    assert result.fixed_indemnity == D("40.00")
    assert result.total == D("59.05")


def test_without_interest_payments_nothing_changes():
    result = compute([(PAID_ON, D("500.00"))])
    assert (result.interest, result.interest_paid, result.interest_due) == (D("42.40"), D("0"), D("42.40"))
    assert result.total == D("82.40")


def test_interest_paid_after_the_day_asked_does_not_count():
    # As of 2024-04-30 the payment has not happened: 60 days on 1,000.00 = 23.8356 → 23.84.
    result = compute(
        [(PAID_ON, D("475.77"))], as_of=date(2024, 4, 30), interest_payments=[(PAID_ON, D("24.23"))]
    )
    assert (result.interest, result.interest_paid, result.interest_due) == (D("23.84"), D("0"), D("23.84"))


def test_interest_due_never_goes_below_zero():
    result = compute(as_of=date(2024, 3, 2), interest_payments=[(date(2024, 3, 2), D("5.00"))])
    assert result.interest == D("0.40")
    assert result.interest_due == D("0")
    assert result.total == D("40.00")


@pytest.mark.parametrize(
    ("insolvency_since", "indemnity"),
    [
        (None, "40.00"),
        (date(2024, 8, 2), "40.00"),  # opened after the day asked: still due that day
        (AS_OF, "0"),  # the opening day itself forbids payment
        (date(2024, 4, 1), "0"),
        (date(2020, 1, 1), "0"),
    ],
)
def test_no_40_eur_once_an_insolvency_procedure_is_open(insolvency_since, indemnity):
    for regime in (B2B, PUBLIC):
        result = compute(regime=regime, insolvency_since=insolvency_since)
        assert result.fixed_indemnity == D(indemnity)


def test_insolvency_does_not_change_the_interest_figure():
    assert compute(insolvency_since=date(2024, 4, 1)).interest == compute().interest


def test_divisor_360():
    # 61 days at 14.50 % on 1,000.00 over 360: 8845 / 360 = 24.5694 → 24.57.
    result = compute(as_of=PAID_ON, divisor=360)
    assert result.interest == D("24.57")


def test_contractual_rate_below_the_floor_is_raised_to_three_times_legal_interest():
    # 12 % < 15.21 %: 61 days at 15.21 % on 1,000.00 = 9278.1 / 365 = 25.4195 → 25.42.
    result = compute(as_of=PAID_ON, contractual_rate=D("12"))
    assert [p.rate for p in result.periods] == [D("15.21")]
    assert result.interest == D("25.42")


def test_b2c_interest_paid_is_deducted_too_and_no_indemnity():
    # Legal interest from the day after the formal notice (2024-04-01): 30 days at 5.07 % on
    # 1,000.00 = 1521 / 365 = 4.1671 → 4.17.
    result = compute(
        as_of=PAID_ON,
        regime=B2C,
        formal_notice=date(2024, 4, 1),
        interest_payments=[(date(2024, 4, 20), D("1.00"))],
    )
    assert (result.interest, result.interest_due, result.fixed_indemnity) == (D("4.17"), D("3.17"), D("0"))
