from datetime import date
from decimal import Decimal as D

import pytest

from recouvre.law.domain.penalties import B2B, B2C, PUBLIC, format_rate, penalties_compute
from recouvre.law.domain.rates import COLUMNS, PACKAGED_TABLE, HalfYear, parse_rate_table, read_rate_table

TABLE = read_rate_table(PACKAGED_TABLE)


def compute(amount="1000.00", due=date(2024, 3, 1), paid=(), as_of=date(2024, 8, 1), **kw):
    return penalties_compute(
        amount=D(amount),
        due_date=due,
        reductions=[(day, D(value)) for day, value in paid],
        as_of=as_of,
        table=kw.pop("table", TABLE),
        **kw,
    )


def parts(result):
    return [(p.start, p.end, p.days, format_rate(p.rate), p.principal, p.amount) for p in result.periods]


def test_worked_example_with_a_partial_payment_is_42_40():
    result = compute(paid=[(date(2024, 5, 1), "500.00")])
    assert parts(result) == [
        (date(2024, 3, 2), date(2024, 5, 1), 61, "14.50", D("1000.00"), D("24.23")),
        (date(2024, 5, 2), date(2024, 6, 30), 60, "14.50", D("500.00"), D("11.92")),
        (date(2024, 7, 1), date(2024, 8, 1), 32, "14.25", D("500.00"), D("6.25")),
    ]
    assert result.interest == D("42.40")
    assert result.days_late == (date(2024, 8, 1) - date(2024, 3, 1)).days == 153
    assert (result.principal, result.open_principal) == (D("1000.00"), D("500.00"))
    assert result.fixed_indemnity == D("40.00")
    assert result.total == D("82.40")
    assert result.missing_rates == ()
    assert result.table_date == date(2026, 2, 5)


def test_worked_example_paid_in_full_is_803_01():
    result = compute("10000.00", date(2025, 6, 15), [(date(2026, 2, 10), "10000.00")], date(2026, 11, 1))
    assert [(p.days, format_rate(p.rate), p.amount) for p in result.periods] == [
        (15, "13.15", D("54.04")),
        (184, "12.15", D("612.49")),
        (41, "12.15", D("136.48")),
    ]
    assert result.interest == D("803.01")
    assert result.days_late == 240  # through the day of full payment, not D
    assert result.open_principal == D("0.00")


@pytest.mark.parametrize(
    ("amount", "due", "paid", "as_of", "interest", "days_late", "indemnity"),
    [
        # Not yet late, or asked on the due date itself: nothing.
        ("1000.00", date(2024, 3, 1), [], date(2024, 2, 1), "0.00", 0, "0.00"),
        ("1000.00", date(2024, 3, 1), [], date(2024, 3, 1), "0.00", 0, "0.00"),
        # One day late: 1000 x 14.50 % / 365 = 0.397 → 0.40.
        ("1000.00", date(2024, 3, 1), [], date(2024, 3, 2), "0.40", 1, "40.00"),
        # Paid on the due date: never late, no indemnity.
        ("1000.00", date(2024, 3, 1), [(date(2024, 3, 1), "1000.00")], date(2024, 8, 1), "0.00", 0, "0.00"),
        # Paid one day late: the payment day bears interest.
        ("1000.00", date(2024, 3, 1), [(date(2024, 3, 2), "1000.00")], date(2024, 8, 1), "0.40", 1, "40.00"),
        # Partly paid before the due date: interest on the rest only.
        ("1000.00", date(2024, 3, 1), [(date(2024, 2, 1), "600.00")], date(2024, 3, 11), "1.59", 10, "40.00"),
        # A leap year still divides by 365: 366 days across 2024 H1 and H2.
        ("365.00", date(2023, 12, 31), [], date(2024, 12, 31), "52.61", 366, "40.00"),
    ],
)
def test_b2b_default_rate_table(amount, due, paid, as_of, interest, days_late, indemnity):
    result = compute(amount, due, paid, as_of)
    assert result.interest == D(interest)
    assert result.days_late == days_late
    assert result.fixed_indemnity == D(indemnity)


def test_each_part_is_rounded_then_summed():
    # 1000 due 2024-01-10, as of 2024-07-05: H1 172 days x 14.50 % = 68.3287 → 68.33;
    # H2 5 days x 14.25 % = 1.9520 → 1.95.
    result = compute("1000.00", date(2024, 1, 10), [], date(2024, 7, 5))
    assert [p.amount for p in result.periods] == [D("68.33"), D("1.95")]
    assert result.interest == D("70.28")


def test_a_credit_note_and_a_payment_the_same_day_make_one_change():
    result = compute(
        paid=[(date(2024, 4, 1), "100.00"), (date(2024, 4, 1), "200.00")], as_of=date(2024, 4, 30)
    )
    assert [(p.days, p.principal) for p in result.periods] == [(31, D("1000.00")), (29, D("700.00"))]


def test_payments_after_d_are_ignored():
    later = compute(paid=[(date(2024, 9, 1), "1000.00")])
    assert later.interest == compute().interest
    assert later.open_principal == D("1000.00")


def test_divisor_is_a_parameter():
    result = compute("1000.00", date(2024, 3, 1), [], date(2024, 3, 11), divisor=360)
    assert result.interest == D("4.03")  # 1000 x 14.50 % x 10 / 360 = 4.0277


def test_contractual_rate_is_floored_at_three_times_legal_interest():
    # H1-2024: 3 x 5.07 = 15.21 beats 12 %; H2-2024: 3 x 4.92 = 14.76 beats 12 %.
    floored = compute(contractual_rate=D("12"))
    assert [format_rate(p.rate) for p in floored.periods] == ["15.21", "14.76"]
    higher = compute(contractual_rate=D("20.5"))
    assert [format_rate(p.rate) for p in higher.periods] == ["20.50", "20.50"]
    assert higher.interest == D("67.96") + D("17.97")
    assert higher.fixed_indemnity == D("40.00")


def test_public_body_is_ecb_plus_8_with_the_indemnity():
    result = compute(regime=PUBLIC)
    assert [format_rate(p.rate) for p in result.periods] == ["12.50", "12.25"]
    assert result.fixed_indemnity == D("40.00")
    assert result.interest == D("41.44") + D("10.74")  # 121 days at 12.50 %, 32 days at 12.25 %


def test_consumer_owes_legal_interest_only_from_the_formal_notice_and_no_indemnity():
    none = compute(regime=B2C)
    assert (none.interest, none.fixed_indemnity, none.periods) == (D("0.00"), D("0.00"), ())
    assert none.days_late == 153
    noticed = compute(regime=B2C, formal_notice=date(2024, 6, 20))
    # From 21 June: 10 days at 5.07 % (H1-2024 "autres cas"), 32 days at 4.92 %.
    assert [(p.days, format_rate(p.rate)) for p in noticed.periods] == [(10, "5.07"), (32, "4.92")]
    assert noticed.interest == D("1.39") + D("4.31")
    assert noticed.fixed_indemnity == D("0.00")


def test_a_missing_rate_never_blocks_and_is_listed():
    result = compute("1000.00", date(2026, 5, 31), [], date(2027, 3, 15))
    assert [str(p.start) for p in result.periods] == ["2026-06-01", "2026-07-01"]
    assert result.periods[1].provisional
    assert not result.periods[0].provisional
    assert [(str(m.half_year), m.start, m.end) for m in result.missing_rates] == [
        ("2027-H1", date(2027, 1, 1), date(2027, 3, 15))
    ]
    assert result.interest == sum(p.amount for p in result.periods)
    assert result.days_late == 288


def test_a_gap_inside_the_table_is_listed_and_later_halves_still_count():
    header = ",".join(COLUMNS)
    text = "\n".join(
        [
            header,
            "2027-01-01,2026-01-01,2026-06-30,2.00,2.00,6.00,confirmed,high,t",
            "2027-01-01,2026-07-01,2026-12-31,,2.00,6.00,provisional,low,t",
            "2027-01-01,2027-01-01,2027-06-30,3.00,2.00,6.00,confirmed,high,t",
        ]
    )
    table = parse_rate_table(text)
    result = compute("365.00", date(2026, 6, 29), [], date(2027, 1, 2), table=table)
    assert [(p.days, p.amount) for p in result.periods] == [(1, D("0.12")), (2, D("0.26"))]
    assert [m.half_year for m in result.missing_rates] == [HalfYear(2026, 2)]
    assert result.table_date == date(2027, 1, 1)


def test_unknown_regime_and_bad_divisor_are_refused():
    with pytest.raises(ValueError, match="unknown debtor type"):
        compute(regime="OTHER")
    with pytest.raises(ValueError, match="divisor"):
        compute(divisor=0)


def test_regime_constant_names():
    assert (B2B, B2C, PUBLIC) == ("B2B", "B2C", "PUBLIC")
