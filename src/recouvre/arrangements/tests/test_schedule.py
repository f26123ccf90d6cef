"""The payment plan arithmetic: schedule, rules, breach and completion (pure, no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from recouvre.arrangements.domain.schedule import (
    InstalmentLine,
    Problem,
    add_months,
    plan_check,
    plan_schedule,
    plan_state,
)
from recouvre.tenancy.domain.settings import PlanRules

D = Decimal
TODAY = date(2026, 11, 22)


def amounts(lines):
    return [line.amount for line in lines]


def test_1000_in_3_monthly_puts_the_cent_on_the_last() -> None:
    lines = plan_schedule(D("1000.00"), 3, date(2026, 12, 5), "monthly")
    assert amounts(lines) == [D("333.33"), D("333.33"), D("333.34")]
    assert [line.number for line in lines] == [1, 2, 3]
    assert [line.due_date for line in lines] == [date(2026, 12, 5), date(2027, 1, 5), date(2027, 2, 5)]


def test_100_in_6_rounds_down_and_the_last_takes_the_rest() -> None:
    lines = plan_schedule(D("100.00"), 6, date(2026, 12, 1), "monthly")
    assert amounts(lines) == [D("16.66")] * 5 + [D("16.70")]
    assert sum(amounts(lines)) == D("100.00")


@pytest.mark.parametrize(
    ("total", "count"),
    [(D("0.05"), 5), (D("1234.56"), 7), (D("99999.99"), 12), (D("10.00"), 3), (D("0.07"), 6)],
)
def test_the_sum_is_the_total_and_the_last_is_never_smaller(total, count) -> None:
    lines = plan_schedule(total, count, TODAY, "weekly")
    assert sum(amounts(lines)) == total
    assert len({line.amount for line in lines[:-1]}) <= 1
    assert lines[-1].amount >= lines[0].amount
    assert all(line.amount.as_tuple().exponent == -2 for line in lines)


def test_monthly_keeps_the_day_number_and_falls_on_a_short_month_s_last_day() -> None:
    dates = [line.due_date for line in plan_schedule(D("400.00"), 4, date(2027, 1, 31), "monthly")]
    assert dates == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    leap = [line.due_date for line in plan_schedule(D("200.00"), 2, date(2028, 1, 31), "monthly")]
    assert leap == [date(2028, 1, 31), date(2028, 2, 29)]


def test_weekly_is_seven_days_apart() -> None:
    dates = [line.due_date for line in plan_schedule(D("300.00"), 3, date(2026, 12, 28), "weekly")]
    assert dates == [date(2026, 12, 28), date(2027, 1, 4), date(2027, 1, 11)]


def test_add_months_over_the_year() -> None:
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 12) == date(2027, 12, 15)


@pytest.mark.parametrize(
    ("total", "count", "frequency"),
    [
        (D("100.00"), 0, "monthly"),
        (D("0"), 3, "monthly"),
        (D("10.001"), 2, "monthly"),
        (D("0.05"), 6, "weekly"),
    ],
)
def test_impossible_schedules_are_refused(total, count, frequency) -> None:
    with pytest.raises(ValueError, match=r"instalment|total|cent"):
        plan_schedule(total, count, TODAY, frequency)
    with pytest.raises(ValueError, match="unknown frequency"):
        plan_schedule(D("100.00"), 2, TODAY, "daily")


# --- the rules -------------------------------------------------------------------------------------

RULES = PlanRules(
    max_instalments=6, min_instalment=D("50.00"), max_first_delay_days=30, max_duration_months=12
)


def codes(problems):
    return [problem.code for problem in problems]


def test_within_the_rules() -> None:
    assert plan_check(RULES, D("1200.00"), 6, TODAY + timedelta(days=30), TODAY) == []
    # One instalment smaller than the minimum is just paying later.
    assert plan_check(RULES, D("20.00"), 1, TODAY, TODAY) == []


def test_12_instalments_when_the_maximum_is_6() -> None:
    problems = plan_check(RULES, D("12000.00"), 12, TODAY + timedelta(days=5), TODAY)
    assert problems == [Problem("max_instalments", "6")]
    assert not problems[0].blocking


def test_instalments_of_20_when_the_minimum_is_50() -> None:
    assert plan_check(RULES, D("100.00"), 5, TODAY, TODAY) == [Problem("min_instalment", "50.00")]
    # 49.99 is below, 50.00 is not.
    assert codes(plan_check(RULES, D("149.99"), 3, TODAY, TODAY)) == ["min_instalment"]
    assert plan_check(RULES, D("150.00"), 3, TODAY, TODAY) == []


def test_the_first_date_no_later_than_n_days() -> None:
    assert plan_check(RULES, D("600.00"), 2, TODAY + timedelta(days=31), TODAY) == [
        Problem("first_date_late", "30")
    ]


def test_the_maximum_duration_runs_to_the_last_due_date() -> None:
    rules = PlanRules(max_instalments=24, min_instalment=D("10.00"), max_duration_months=12)
    # 13 monthly from 22 Nov 2026 end on 22 Nov 2027: exactly 12 months.
    assert plan_check(rules, D("1300.00"), 13, TODAY, TODAY) == []
    assert codes(plan_check(rules, D("1400.00"), 14, TODAY, TODAY)) == ["max_duration"]
    # The same count weekly lasts a quarter.
    assert plan_check(rules, D("1400.00"), 14, TODAY, TODAY, "weekly") == []


def test_several_problems_at_once() -> None:
    problems = plan_check(RULES, D("240.00"), 12, TODAY + timedelta(days=60), TODAY)
    assert codes(problems) == ["max_instalments", "min_instalment", "first_date_late", "max_duration"]


@pytest.mark.parametrize(
    ("total", "count", "first", "frequency", "code"),
    [
        (D("100.00"), 0, TODAY, "monthly", "count"),
        (D("-5.00"), 2, TODAY, "monthly", "total"),
        (D("100.00"), 2, TODAY, "yearly", "frequency"),
        (D("100.00"), 2, TODAY - timedelta(days=1), "monthly", "first_date_past"),
        (D("0.03"), 4, TODAY, "monthly", "below_a_cent"),
    ],
)
def test_blocking_problems(total, count, first, frequency, code) -> None:
    [problem] = plan_check(RULES, total, count, first, TODAY, frequency)
    assert problem.code == code
    assert problem.blocking


# --- breach and completion -------------------------------------------------------------------------

LINES = plan_schedule(D("300.00"), 3, date(2026, 12, 1), "monthly")  # 1 Dec, 1 Jan, 1 Feb: 100 each


def statuses(state):
    return [(i.status, i.paid_amount, i.paid_on) for i in state.instalments]


def test_nothing_paid_before_the_first_due_date_runs() -> None:
    state = plan_state(LINES, {}, date(2026, 11, 30), grace_days=5)
    assert state.outcome == "running"
    assert [i.status for i in state.instalments] == ["due", "due", "due"]


def test_a_payment_pays_the_earliest_instalment() -> None:
    state = plan_state(LINES, {date(2026, 12, 3): D("100.00")}, date(2026, 12, 20), grace_days=5)
    assert statuses(state)[0] == ("paid", D("100.00"), date(2026, 12, 3))
    assert statuses(state)[1] == ("due", D("0.00"), None)
    assert state.outcome == "running"


def test_payments_credit_in_date_order_and_overflow_to_the_next() -> None:
    payments = {date(2026, 12, 1): D("60.00"), date(2026, 12, 2): D("70.00")}
    state = plan_state(LINES, payments, date(2026, 12, 5), grace_days=5)
    assert statuses(state)[:2] == [
        ("paid", D("100.00"), date(2026, 12, 2)),
        ("due", D("30.00"), None),
    ]


def test_payments_dated_after_today_are_not_counted() -> None:
    state = plan_state(LINES, {date(2026, 12, 10): D("100.00")}, date(2026, 12, 5), grace_days=5)
    assert statuses(state)[0] == ("due", D("0.00"), None)


def test_grace_days_then_broken_the_next_day() -> None:
    # Due 1 Dec, 5 days' grace: still fine on 6 Dec, broken on 7 Dec.
    assert plan_state(LINES, {}, date(2026, 12, 6), grace_days=5).outcome == "running"
    state = plan_state(LINES, {}, date(2026, 12, 7), grace_days=5)
    assert (state.outcome, state.ended_on) == ("broken", date(2026, 12, 7))
    assert [i.status for i in state.instalments] == ["missed", "due", "due"]


def test_a_part_payment_does_not_save_the_instalment() -> None:
    state = plan_state(LINES, {date(2026, 12, 1): D("99.99")}, date(2026, 12, 7), grace_days=5)
    assert state.outcome == "broken"
    assert statuses(state)[0] == ("missed", D("99.99"), None)


def test_a_breach_found_late_is_dated_when_it_happened() -> None:
    # The check did not run for a while; the debtor paid on 20 Dec, after the grace ran out.
    state = plan_state(LINES, {date(2026, 12, 20): D("100.00")}, date(2026, 12, 28), grace_days=5)
    assert (state.outcome, state.ended_on) == ("broken", date(2026, 12, 7))
    assert statuses(state)[0] == ("paid", D("100.00"), date(2026, 12, 20))


def test_paid_on_time_completes_on_the_last_payment() -> None:
    payments = {date(2026, 12, 1): D("100.00"), date(2027, 1, 4): D("100.00"), date(2027, 2, 6): D("100.00")}
    state = plan_state(LINES, payments, date(2027, 3, 1), grace_days=5)
    assert (state.outcome, state.ended_on) == ("completed", date(2027, 2, 6))
    assert [i.status for i in state.instalments] == ["paid"] * 3


def test_early_payoff_pays_the_rest_at_once() -> None:
    payments = {date(2026, 12, 1): D("100.00"), date(2026, 12, 15): D("250.00")}
    state = plan_state(LINES, payments, date(2026, 12, 15), grace_days=0)
    assert (state.outcome, state.ended_on) == ("completed", date(2026, 12, 15))
    assert [i.paid_on for i in state.instalments] == [
        date(2026, 12, 1),
        date(2026, 12, 15),
        date(2026, 12, 15),
    ]


def test_no_grace() -> None:
    assert plan_state(LINES, {}, date(2026, 12, 1), grace_days=0).outcome == "running"
    assert plan_state(LINES, {}, date(2026, 12, 2), grace_days=0).outcome == "broken"


def test_instalment_lines_are_taken_in_number_order() -> None:
    lines = [
        InstalmentLine(2, date(2027, 1, 1), D("50.00")),
        InstalmentLine(1, date(2026, 12, 1), D("50.00")),
    ]
    state = plan_state(lines, {date(2026, 12, 1): D("50.00")}, date(2026, 12, 2), grace_days=0)
    assert [(i.number, i.status) for i in state.instalments] == [(1, "paid"), (2, "due")]
