"""Late-payment penalties of one invoice as of a day D, to the cent: french-law.md § Late-payment
penalties and § Consumers.

Simple interest on each day's open principal, from the day after the due date through min(D, day of
full payment), both inclusive. The window is split at each half-year and at each change of the open
principal; the day of a partial payment still bears interest on the principal before it. Each part is
rounded half-up to the cent and the interest is their sum. A half-year the table does not cover adds
nothing and is listed in `missing_rates` (a missing rate never blocks a letter). Pure: no Django."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from recouvre.kernel.money import ZERO, to_cents
from recouvre.law.domain.rates import HalfYear, RateTable

B2B, B2C, PUBLIC = "B2B", "B2C", "PUBLIC"
DEFAULT_DIVISOR = 365
FIXED_INDEMNITY = Decimal("40.00")  # per invoice paid late (L441-10 II, D441-5)
B2B_POINTS = Decimal("10")
PUBLIC_POINTS = Decimal("8")  # Code de la commande publique; digest marks it [M]
CONTRACTUAL_FLOOR_FACTOR = Decimal("3")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive
    days: int
    rate: Decimal  # percent per year
    principal: Decimal
    amount: Decimal
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class MissingRate:
    half_year: HalfYear
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Penalties:
    principal: Decimal  # what fell due: the amount less what was settled by the due date
    open_principal: Decimal  # at the end of D
    days_late: int
    periods: tuple[Period, ...]
    interest: Decimal
    fixed_indemnity: Decimal
    missing_rates: tuple[MissingRate, ...]
    table_date: date
    regime: str
    # Interest already settled by interest shares of payments (interest-first imputation, C. civ.
    # 1343-1): the interest above is what the invoice bore, this part of it is no longer owed.
    interest_paid: Decimal = ZERO

    @property
    def interest_due(self) -> Decimal:
        return max(self.interest - self.interest_paid, ZERO)

    @property
    def total(self) -> Decimal:
        return self.interest_due + self.fixed_indemnity


def _rate(
    table: RateTable, half_year: HalfYear, regime: str, contractual_rate: Decimal | None
) -> Decimal | None:
    if regime == B2C:
        return table.legal_other(half_year)
    if regime == PUBLIC:
        ecb = table.ecb_mro(half_year)
        return None if ecb is None else ecb + PUBLIC_POINTS
    if contractual_rate is not None:
        legal = table.legal_other(half_year)
        return None if legal is None else max(contractual_rate, CONTRACTUAL_FLOOR_FACTOR * legal)
    ecb = table.ecb_mro(half_year)
    return None if ecb is None else ecb + B2B_POINTS


def penalties_compute(
    *,
    amount: Decimal,
    due_date: date,
    reductions: Iterable[tuple[date, Decimal]],
    as_of: date,
    table: RateTable,
    regime: str = B2B,
    contractual_rate: Decimal | None = None,
    formal_notice: date | None = None,
    divisor: int = DEFAULT_DIVISOR,
    interest_payments: Iterable[tuple[date, Decimal]] = (),
    insolvency_since: date | None = None,
) -> Penalties:
    """`reductions` are what lowered the open principal, by date (the principal shares of payments
    and credit notes allocated to the invoice). `contractual_rate` applies to B2B only. For B2C, legal
    interest runs from the day after the formal notice and nothing runs without one.
    `interest_payments`: interest the debtor paid, by date (interest shares of payments); those
    dated on or before D make `interest_paid`.
    `insolvency_since`: the opening judgment of an insolvency procedure; from that day the procedure
    forbids paying the claim, so the 40 EUR indemnity is not claimed as of a D on or after it."""
    if regime not in (B2B, B2C, PUBLIC):
        raise ValueError(f"unknown debtor type {regime!r}")
    if divisor <= 0:
        raise ValueError("the divisor must be positive")
    changes: dict[date, Decimal] = {}
    for day, value in reductions:
        if day <= as_of:
            changes[day] = changes.get(day, ZERO) + value

    def open_after(day: date) -> Decimal:
        """The open principal at the end of `day`."""
        return amount - sum((v for d, v in changes.items() if d <= day), ZERO)

    open_at_end = open_after(as_of)
    # The window ends on the day of full payment when the invoice stood settled from then to D.
    end = as_of
    if open_at_end <= 0:
        for day in sorted(changes, reverse=True):
            if open_after(day) > 0:
                break
            end = day
    days_late = max((end - due_date).days, 0)
    principal = max(open_after(due_date), ZERO)

    start = due_date + ONE_DAY
    if regime == B2C:
        start = max(start, formal_notice + ONE_DAY) if formal_notice else end + ONE_DAY

    # Cuts: each half-year start and the day after each change of the principal.
    cuts = {start, end + ONE_DAY}
    half_year = HalfYear.of(start).following()
    while half_year.start <= end:
        cuts.add(half_year.start)
        half_year = half_year.following()
    cuts.update(day + ONE_DAY for day in changes if start < day + ONE_DAY <= end)
    bounds = sorted(cut for cut in cuts if start <= cut <= end + ONE_DAY)

    periods: list[Period] = []
    missing: dict[HalfYear, MissingRate] = {}
    for first, after in itertools.pairwise(bounds):
        last = after - ONE_DAY
        base = open_after(first - ONE_DAY)  # the principal before any change dated `first`
        if base <= 0:
            continue
        half_year = HalfYear.of(first)
        rate = _rate(table, half_year, regime, contractual_rate)
        if rate is None:
            known = missing.get(half_year)
            missing[half_year] = MissingRate(half_year, known.start if known else first, last)
            continue
        days = (after - first).days
        previous = periods[-1] if periods else None
        if (
            previous
            and previous.end + ONE_DAY == first
            and previous.principal == base
            and HalfYear.of(previous.start) == half_year
        ):
            # Same principal, same half-year: one part, rounded once.
            first, days = previous.start, previous.days + days
            periods.pop()
        value = to_cents(base * rate / Decimal(100) * days / Decimal(divisor))
        periods.append(Period(first, last, days, rate, base, value, table.provisional(half_year)))

    interest = sum((p.amount for p in periods), ZERO)
    insolvent = insolvency_since is not None and insolvency_since <= as_of
    indemnity = (
        FIXED_INDEMNITY
        if regime in (B2B, PUBLIC) and days_late > 0 and principal > 0 and not insolvent
        else ZERO
    )
    return Penalties(
        principal=to_cents(principal),
        open_principal=to_cents(max(open_at_end, ZERO)),
        days_late=days_late,
        periods=tuple(periods),
        interest=to_cents(interest),
        fixed_indemnity=indemnity,
        missing_rates=tuple(missing.values()),
        table_date=table.table_date,
        regime=regime,
        interest_paid=to_cents(sum((v for d, v in interest_payments if d <= as_of), ZERO)),
    )


def format_rate(rate: Decimal) -> str:
    """A rate in percent as the contract prints it: `"12.15"` (more decimals only when it has them)."""
    text = f"{rate.normalize():f}"
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"
