"""Payment plans, the arithmetic: the instalment schedule, the organisation's rules a proposal is
checked against, and which instalments a debtor's payments paid and whether the plan held.

Pure: no Django, no database; `today` is passed in."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Literal, Protocol

MONTHLY = "monthly"
WEEKLY = "weekly"
FREQUENCIES = (MONTHLY, WEEKLY)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Problems no manager can approve: the plan cannot be laid out at all.
BLOCKING = frozenset({"count", "total", "frequency", "first_date_past", "below_a_cent"})

InstalmentStatus = Literal["due", "paid", "missed"]
PlanOutcome = Literal["running", "broken", "completed"]


class PlanRules(Protocol):
    """The organisation's rules (tenancy.domain.settings.PlanRules), read-only; a protocol so that
    this module imports nothing from the apps."""

    @property
    def max_instalments(self) -> int: ...
    @property
    def min_instalment(self) -> Decimal: ...
    @property
    def max_first_delay_days(self) -> int: ...
    @property
    def max_duration_months(self) -> int: ...


@dataclass(frozen=True)
class InstalmentLine:
    number: int  # from 1
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class Problem:
    """Why a proposal is outside the rules: `code`, and the rule's value (`limit`, as text) that a
    message quotes."""

    code: str
    limit: str = ""

    @property
    def blocking(self) -> bool:
        return self.code in BLOCKING


def add_months(day: date, months: int, day_number: int | None = None) -> date:
    """`months` after `day`, on `day_number` (default: the day's own) or, in a month too short for
    it, on that month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day_number or day.day, last))


def due_dates(first_date: date, count: int, frequency: str) -> tuple[date, ...]:
    # Each date from the first one, not from the previous one: 31 Jan, 28 Feb, then 31 Mar (not 28).
    if frequency == WEEKLY:
        return tuple(first_date + timedelta(weeks=k) for k in range(count))
    return tuple(add_months(first_date, k) for k in range(count))


def instalment_amount(total: Decimal, count: int) -> Decimal:
    """Every instalment but the last: the total divided, rounded down to the cent, so that the last
    one carries the remainder and never falls below the others."""
    return (total / count).quantize(CENT, rounding=ROUND_DOWN)


def plan_schedule(total: Decimal, count: int, first_date: date, frequency: str) -> tuple[InstalmentLine, ...]:
    """Equal instalments to the cent, the rounding difference on the last; their sum is the total."""
    if count < 1:
        raise ValueError(f"a plan has at least one instalment (got {count})")
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")
    if not _is_an_amount(total):
        raise ValueError(f"the total must be above 0 with at most two decimals (got {total})")
    base = instalment_amount(total, count)
    if base < CENT:
        raise ValueError(f"{total} cannot be paid in {count} instalments of at least a cent")
    last = total - base * (count - 1)
    dates = due_dates(first_date, count, frequency)
    return tuple(InstalmentLine(k + 1, day, last if k == count - 1 else base) for k, day in enumerate(dates))


def _is_an_amount(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return value.is_finite() and isinstance(exponent, int) and exponent >= -2 and value > 0


def plan_check(
    rules: PlanRules,
    total: Decimal,
    count: int,
    first_date: date,
    today: date,
    frequency: str = MONTHLY,
) -> list[Problem]:
    """What keeps a proposal from being accepted without a manager; empty when it is within the
    organisation's rules. Blocking problems (see `Problem.blocking`) refuse it outright.

    The minimum instalment is not applied to a single instalment: paying everything at a later date
    is never "too small". The duration runs from `today` to the last due date."""
    problems: list[Problem] = []
    if count < 1:
        problems.append(Problem("count"))
    if not _is_an_amount(total):
        problems.append(Problem("total"))
    if frequency not in FREQUENCIES:
        problems.append(Problem("frequency"))
    if first_date < today:
        problems.append(Problem("first_date_past"))
    if problems:
        return problems
    base = instalment_amount(total, count)
    if base < CENT:
        return [Problem("below_a_cent")]
    if count > rules.max_instalments:
        problems.append(Problem("max_instalments", str(rules.max_instalments)))
    if count > 1 and base < rules.min_instalment:
        problems.append(Problem("min_instalment", f"{rules.min_instalment:.2f}"))
    if first_date > today + timedelta(days=rules.max_first_delay_days):
        problems.append(Problem("first_date_late", str(rules.max_first_delay_days)))
    last_date = due_dates(first_date, count, frequency)[-1]
    if last_date > add_months(today, rules.max_duration_months):
        problems.append(Problem("max_duration", str(rules.max_duration_months)))
    return problems


# --- breach ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstalmentState:
    number: int
    due_date: date
    amount: Decimal
    paid_amount: Decimal
    paid_on: date | None  # the day the payments reached the amount
    status: InstalmentStatus


@dataclass(frozen=True)
class PlanState:
    instalments: tuple[InstalmentState, ...]
    outcome: PlanOutcome
    # The day the plan broke (the day after the first missed instalment's grace ran out) or was
    # completed (the payment that settled the last instalment); None while it runs.
    ended_on: date | None


def plan_state(
    instalments: Iterable[InstalmentLine],
    payments_by_date: Mapping[date, Decimal],
    today: date,
    grace_days: int,
) -> PlanState:
    """Credits the payments dated up to `today`, in date order, to the earliest instalment not yet
    paid in full (an overpayment goes on to the next ones: paying the rest at once pays them all).

    An instalment still unpaid at the end of its due date plus `grace_days` is missed and breaks the
    plan on the next day, whenever the check runs: a payment that came later does not undo a breach
    that happened first. A plan whose every instalment was paid, with no breach before the last
    payment, is completed."""
    lines = sorted(instalments, key=lambda line: line.number)
    paid = [ZERO] * len(lines)
    paid_on: list[date | None] = [None] * len(lines)
    current = 0
    for day in sorted(d for d in payments_by_date if d <= today):
        left = payments_by_date[day]
        while left > 0 and current < len(lines):
            share = min(left, lines[current].amount - paid[current])
            paid[current] += share
            left -= share
            if paid[current] == lines[current].amount:
                paid_on[current] = day
                current += 1
    states: list[InstalmentState] = []
    breaches: list[date] = []
    for k, line in enumerate(lines):
        deadline = line.due_date + timedelta(days=grace_days)
        settled = paid_on[k]
        if (settled is None and today > deadline) or (settled is not None and settled > deadline):
            breaches.append(deadline + timedelta(days=1))
        status: InstalmentStatus = "paid" if settled else ("missed" if today > deadline else "due")
        states.append(InstalmentState(line.number, line.due_date, line.amount, paid[k], settled, status))
    broken_on = min(breaches, default=None)
    completed_on = paid_on[-1] if lines and paid_on[-1] is not None else None
    if broken_on is not None and (completed_on is None or broken_on <= completed_on):
        return PlanState(tuple(states), "broken", broken_on)
    if completed_on is not None:
        return PlanState(tuple(states), "completed", completed_on)
    return PlanState(tuple(states), "running", None)
