"""The order of the day's calls. Pure: frozen dataclasses in, an ordered tuple out; `today` is passed in.

For now a call's priority is the amount at stake (the overdue open amount a call may claim) times the
days the oldest of those invoices is overdue: a large, old debt first. An agent's own debtors come
before everyone else's, then the priority, then the oldest planned task, then the first created."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class CallCandidate:
    action_id: int
    debtor_id: int
    scheduled_for: date
    # Overdue, open and claimable (neither disputed nor on hold) on the day of the call.
    amount_at_stake: Decimal
    oldest_due_date: date | None
    # The debtor's collector (Debtor.agent), None when nobody works the account.
    agent_id: int | None


@dataclass(frozen=True, slots=True)
class RankedCall:
    candidate: CallCandidate
    days_overdue: int
    priority: Decimal
    mine: bool


def days_overdue(oldest_due_date: date | None, today: date) -> int:
    """Days past the oldest due date; 0 when nothing is overdue."""
    if oldest_due_date is None:
        return 0
    return max((today - oldest_due_date).days, 0)


def call_priority(amount_at_stake: Decimal, days: int) -> Decimal:
    """Amount times days, never negative (a credit balance is nothing at stake)."""
    if amount_at_stake <= 0 or days <= 0:
        return ZERO
    return amount_at_stake * days


def rank_calls(
    candidates: Iterable[CallCandidate], today: date, agent_id: int | None = None
) -> tuple[RankedCall, ...]:
    ranked = []
    for candidate in candidates:
        days = days_overdue(candidate.oldest_due_date, today)
        ranked.append(
            RankedCall(
                candidate=candidate,
                days_overdue=days,
                priority=call_priority(candidate.amount_at_stake, days),
                mine=agent_id is not None and candidate.agent_id == agent_id,
            )
        )
    ranked.sort(key=_order)
    return tuple(ranked)


def _order(call: RankedCall) -> tuple[bool, Decimal, date, int]:
    return (not call.mine, -call.priority, call.candidate.scheduled_for, call.candidate.action_id)


def next_after(ranked: tuple[RankedCall, ...], action_id: int) -> RankedCall | None:
    """The call that follows `action_id` in the order; the first one when it is not listed (done or
    cancelled meanwhile); None at the end of the list."""
    for index, call in enumerate(ranked):
        if call.candidate.action_id == action_id:
            return ranked[index + 1] if index + 1 < len(ranked) else None
    return ranked[0] if ranked else None
