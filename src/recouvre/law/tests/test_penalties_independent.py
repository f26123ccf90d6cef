"""The issue's "Done when": the penalties agree to the cent with an independent computation.

Written from french-law.md, not from the code: it walks the late days one by one with exact
fractions, takes the MRO in force on 1 January / 1 July from the ECB decisions file shipped with the
product (`law/data/ecb_key_rates.csv`, not the half-year table the product reads), and closes a part
whenever the half-year or the open principal changes."""

import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import recouvre.law
from recouvre.law.domain.penalties import penalties_compute
from recouvre.law.domain.rates import PACKAGED_TABLE, read_rate_table

ECB_FILE = Path(recouvre.law.__file__).parent / "data" / "ecb_key_rates.csv"
LAST_COVERED = date(2026, 12, 31)  # the product's table ends with H2-2026
INVOICES = 400
TABLE = read_rate_table(PACKAGED_TABLE)


def ecb_decisions():
    with ECB_FILE.open(encoding="utf-8") as stream:
        return sorted(
            (date.fromisoformat(r["effective_date"]), Fraction(r["mro_pct"])) for r in csv.DictReader(stream)
        )


DECISIONS = ecb_decisions()


def mro_in_force(day):
    rate = None
    for effective, value in DECISIONS:
        if effective <= day:
            rate = value
    return rate


def half_year_start(day):
    return date(day.year, 1 if day.month < 7 else 7, 1)


def cents_half_up(value):
    return Decimal((value * 100 + Fraction(1, 2)).__floor__()) / 100


def expected(amount, due, payments, as_of):
    """Interest to the cent and days late, by the letter of the spec."""
    amount = Fraction(amount)
    paid = [(day, Fraction(value)) for day, value in payments if day <= as_of]

    def open_at_end_of(day):
        return amount - sum((v for d, v in paid if d <= day), Fraction(0))

    last_day = as_of
    if open_at_end_of(as_of) <= 0:
        last_day = min(d for d, _ in paid if all(open_at_end_of(x) <= 0 for x, _ in paid if x >= d))
    days_late = max((last_day - due).days, 0)
    parts, key, running = [], None, Fraction(0)
    day = due + timedelta(days=1)
    while day <= last_day:
        principal = open_at_end_of(day - timedelta(days=1))  # the payment day bears the old principal
        start = half_year_start(day)
        rate = mro_in_force(start) + 10
        if principal > 0:
            if key is not None and key != (start, principal):
                parts.append(running)
                running = Fraction(0)
            key = (start, principal)
            running += principal * rate / 100 / 365
        day += timedelta(days=1)
    if key is not None:
        parts.append(running)
    return sum((cents_half_up(p) for p in parts), Decimal("0.00")), days_late


def generated_invoices(seed=20261123):
    rng = random.Random(seed)
    cases = [
        (Decimal("1000.00"), date(2024, 3, 1), [(date(2024, 5, 1), Decimal("500.00"))], date(2024, 8, 1)),
        (
            Decimal("10000.00"),
            date(2025, 6, 15),
            [(date(2026, 2, 10), Decimal("10000.00"))],
            date(2026, 11, 1),
        ),
    ]
    while len(cases) < INVOICES:
        amount = Decimal(rng.randint(100, 5_000_000)) / 100
        due = date(2009, 1, 1) + timedelta(days=rng.randint(0, (date(2026, 6, 30) - date(2009, 1, 1)).days))
        as_of = min(due + timedelta(days=rng.randint(-20, 1100)), LAST_COVERED)
        payments, left = [], amount
        for _ in range(rng.randint(0, 4)):
            day = due + timedelta(days=rng.randint(-30, 900))
            share = min(left, Decimal(rng.randint(1, int(amount * 100))) / 100)
            if share > 0:
                payments.append((day, share))
                left -= share
        if rng.random() < 0.3 and left > 0:  # settled in full at some point
            payments.append((due + timedelta(days=rng.randint(0, 1000)), left))
        cases.append((amount, due, payments, as_of))
    return cases


CASES = generated_invoices()


def test_the_generated_set_covers_partial_payments_across_half_years():
    assert len(CASES) == INVOICES
    crossing = [c for c in CASES if half_year_start(c[1]) != half_year_start(c[3]) and c[2]]
    assert len(crossing) > INVOICES // 2


def test_the_worked_examples_are_in_the_set():
    assert expected(*CASES[0])[0] == Decimal("42.40")
    assert expected(*CASES[1])[0] == Decimal("803.01")


@pytest.mark.parametrize("index", range(INVOICES))
def test_penalties_agree_to_the_cent_with_the_independent_computation(index):
    amount, due, payments, as_of = CASES[index]
    interest, days_late = expected(amount, due, payments, as_of)
    result = penalties_compute(amount=amount, due_date=due, reductions=payments, as_of=as_of, table=TABLE)
    assert (result.interest, result.days_late) == (interest, days_late)
    assert result.missing_rates == ()
