"""The budget simulator of the portal: what a debtor can afford each month, and the plan that would
follow. Pure. A third of what is left after fixed charges is the ceiling (the usual prudence of
over-indebtedness practice, not a legal rule); amounts are rounded down to 5 EUR so the proposal
reads like one a person would make."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

SHARE = Decimal("0.33")
STEP = Decimal("5")


@dataclass(frozen=True)
class BudgetProposal:
    disposable: Decimal  # income less charges, per month
    monthly: Decimal  # what the plan would ask each month (0: nothing affordable)
    months: int  # how many instalments would settle the balance (0 when monthly is 0)


def budget_propose(*, income: Decimal, charges: Decimal, balance: Decimal, max_months: int) -> BudgetProposal:
    if income < 0 or charges < 0 or balance < 0:
        raise ValueError("amounts cannot be negative")
    disposable = income - charges
    if disposable <= 0 or balance == 0:
        return BudgetProposal(disposable, Decimal("0"), 0)
    monthly = (disposable * SHARE / STEP).to_integral_value(rounding=ROUND_FLOOR) * STEP
    if monthly <= 0:
        return BudgetProposal(disposable, Decimal("0"), 0)
    monthly = min(monthly, balance)
    months = math.ceil(balance / monthly)
    if months > max_months:
        # The plan must end within the organisation's limit: ask what it takes, if affordable.
        needed = (balance / max_months).quantize(Decimal("0.01"), rounding="ROUND_CEILING")
        return (
            BudgetProposal(disposable, needed, max_months)
            if needed <= disposable
            else BudgetProposal(disposable, monthly, months)
        )
    return BudgetProposal(disposable, monthly, months)
