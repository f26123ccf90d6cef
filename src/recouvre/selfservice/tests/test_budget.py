"""The budget simulator's arithmetic, worked by hand."""

from decimal import Decimal

from recouvre.selfservice.domain.budget import budget_propose

D = Decimal


def test_a_third_of_what_is_left_rounded_down_to_5_eur() -> None:
    # 2,000 - 1,400 = 600 left; a third is 198 → 195 a month; 1,500 / 195 → 8 months.
    proposal = budget_propose(income=D("2000"), charges=D("1400"), balance=D("1500"), max_months=12)
    assert (proposal.disposable, proposal.monthly, proposal.months) == (D("600"), D("195"), 8)


def test_nothing_affordable_proposes_nothing() -> None:
    assert budget_propose(income=D("1000"), charges=D("1200"), balance=D("500"), max_months=12).monthly == 0
    assert budget_propose(income=D("1000"), charges=D("990"), balance=D("500"), max_months=12).months == 0


def test_a_small_balance_is_paid_at_once() -> None:
    proposal = budget_propose(income=D("3000"), charges=D("1000"), balance=D("120"), max_months=12)
    assert (proposal.monthly, proposal.months) == (D("120"), 1)


def test_the_plan_ends_within_the_limit_when_the_debtor_can_afford_it() -> None:
    # 300 left → 95 a month would take 32 months for 3,000; 12 months need 250, affordable.
    proposal = budget_propose(income=D("1300"), charges=D("1000"), balance=D("3000"), max_months=12)
    assert (proposal.monthly, proposal.months) == (D("250.00"), 12)
