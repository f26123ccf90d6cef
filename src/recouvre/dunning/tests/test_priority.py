"""The order of the day's calls: pure, no database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from recouvre.dunning.domain.priority import (
    CallCandidate,
    call_priority,
    days_overdue,
    next_after,
    rank_calls,
)

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 22)


def call(action_id: int, amount: str, days: int | None, *, agent: int | None = None, planned: int = 0):
    return CallCandidate(
        action_id=action_id,
        debtor_id=100 + action_id,
        scheduled_for=TODAY - timedelta(days=planned),
        amount_at_stake=Decimal(amount),
        oldest_due_date=None if days is None else TODAY - timedelta(days=days),
        agent_id=agent,
    )


def test_the_priority_is_the_amount_at_stake_times_the_days_overdue() -> None:
    assert call_priority(Decimal("1234.56"), 30) == Decimal("37036.80")
    assert call_priority(Decimal("0.00"), 30) == 0
    assert call_priority(Decimal("-10.00"), 30) == 0  # a credit is nothing at stake
    assert call_priority(Decimal("500.00"), 0) == 0


def test_days_overdue_count_from_the_oldest_due_date_and_never_go_negative() -> None:
    assert days_overdue(TODAY - timedelta(days=52), TODAY) == 52
    assert days_overdue(TODAY, TODAY) == 0
    assert days_overdue(TODAY + timedelta(days=3), TODAY) == 0
    assert days_overdue(None, TODAY) == 0


def test_calls_are_ranked_by_priority_the_agents_own_debtors_first() -> None:
    small_old = call(1, "100.00", 200)  # 20 000
    big_recent = call(2, "5000.00", 10)  # 50 000
    mine_small = call(3, "10.00", 5, agent=7)  # 50, but mine
    nothing = call(4, "0.00", None)
    ranked = rank_calls([small_old, nothing, big_recent, mine_small], TODAY, agent_id=7)
    assert [r.candidate.action_id for r in ranked] == [3, 2, 1, 4]
    assert [r.priority for r in ranked] == [Decimal("50.00"), Decimal("50000.00"), Decimal("20000.00"), 0]
    assert [r.mine for r in ranked] == [True, False, False, False]
    assert ranked[1].days_overdue == 10


def test_equal_priorities_go_oldest_planned_first_then_first_created() -> None:
    ranked = rank_calls(
        [call(9, "100.00", 10), call(5, "100.00", 10), call(7, "100.00", 10, planned=3)], TODAY
    )
    assert [r.candidate.action_id for r in ranked] == [7, 5, 9]


def test_without_a_signed_in_agent_nobody_is_first() -> None:
    ranked = rank_calls([call(1, "1.00", 1, agent=None), call(2, "9.00", 1, agent=3)], TODAY)
    assert [r.candidate.action_id for r in ranked] == [2, 1]
    assert not any(r.mine for r in ranked)


def test_the_next_call_follows_the_order_and_ends() -> None:
    ranked = rank_calls([call(1, "300.00", 10), call(2, "200.00", 10), call(3, "100.00", 10)], TODAY)
    assert next_after(ranked, 1).candidate.action_id == 2  # type: ignore[union-attr]
    assert next_after(ranked, 2).candidate.action_id == 3  # type: ignore[union-attr]
    assert next_after(ranked, 3) is None
    assert next_after(ranked, 99).candidate.action_id == 1  # type: ignore[union-attr]  # done meanwhile
    assert next_after((), 1) is None
