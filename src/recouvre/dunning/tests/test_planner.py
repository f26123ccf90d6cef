"""The planner, table-driven, without a database (dunning.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from recouvre.dunning.domain.planner import (
    CaseState,
    DebtorState,
    ItemsSummary,
    OpenItem,
    PromiseState,
    Reach,
    StepRecord,
    plan_debtor,
    summarise,
    within_caps,
)
from recouvre.dunning.domain.scenario import B2B_STANDARD, GOOD, ladder_for
from recouvre.law.domain.calendar import Calendar, calendar_for

pytestmark = pytest.mark.unit

MONDAY = date(2026, 11, 23)
REACH_ALL = Reach(has_email=True, has_mobile=True, has_phone=True, has_address=True)
DONE_BEFORE = ("reminder_1", "reminder_2", "sms", "call", "letter", "formal_notice")


def overdue(count: int = 1, oldest: date = MONDAY - timedelta(days=3)) -> ItemsSummary:
    return ItemsSummary(count, count, oldest, ())


def state(**changes: object) -> DebtorState:
    base = DebtorState(
        debtor_id=1,
        debtor_type="B2B",
        scenario=B2B_STANDARD,
        items=overdue(),
        reach=REACH_ALL,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def case(anchor: date, *done: str, on: date | None = None, **flags: bool) -> CaseState:
    day = on or anchor
    return CaseState(7, anchor, tuple(StepRecord(code, "email", day, **flags) for code in done))


def codes(plan: object) -> list[tuple[str, str]]:
    return [(a.code, a.channel) for a in plan.actions]  # type: ignore[attr-defined]


def test_summarise_counts_overdue_active_and_upcoming() -> None:
    today = MONDAY
    items = [
        OpenItem(1, today - timedelta(days=10), Decimal("100")),
        OpenItem(2, today - timedelta(days=20), Decimal("50"), disputed=True),
        OpenItem(3, today - timedelta(days=5), Decimal("10"), held=True),
        OpenItem(4, today, Decimal("10")),  # due today: not overdue yet
        OpenItem(5, today + timedelta(days=5), Decimal("10")),
        OpenItem(6, today + timedelta(days=6), Decimal("10")),  # beyond the courtesy lead
        OpenItem(7, today - timedelta(days=30), Decimal("0")),  # settled
    ]
    assert summarise(items, today) == ItemsSummary(
        3, 1, today - timedelta(days=10), (today, today + timedelta(days=5))[1:]
    )


@pytest.mark.parametrize(
    ("days_late", "expected"),
    [
        (1, None),  # a case opens, reminder_1 waits for day 3
        (3, "reminder_1"),
        (40, "reminder_1"),  # a late start begins at the first step, not at the one whose day it is
    ],
)
def test_a_case_opens_on_the_oldest_overdue_invoice_and_starts_at_reminder_1(
    days_late: int, expected: str | None
) -> None:
    anchor = MONDAY - timedelta(days=days_late)
    plan = plan_debtor(state(items=overdue(oldest=anchor)), MONDAY)
    assert plan.open_case_anchor == anchor
    assert [a.code for a in plan.actions] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("done", "day", "expected"),
    [
        (("reminder_1",), 9, None),
        (("reminder_1",), 10, ("reminder_2", "email")),
        (("reminder_1", "reminder_2"), 12, ("sms", "sms")),
        (("reminder_1", "reminder_2", "sms"), 15, ("call", "call")),
        (("reminder_1", "reminder_2", "sms", "call"), 25, ("letter", "letter")),
        (("reminder_1", "reminder_2", "sms", "call", "letter"), 35, ("formal_notice", "registered_letter")),
        (DONE_BEFORE, 49, None),
        (DONE_BEFORE, 50, ("litigation_review", "task")),
        ((*DONE_BEFORE, "litigation_review"), 90, None),
    ],
)
def test_the_ladder_of_b2b_standard(
    done: tuple[str, ...], day: int, expected: tuple[str, str] | None
) -> None:
    anchor = MONDAY - timedelta(days=day)
    plan = plan_debtor(state(case=case(anchor, *done, on=anchor)), MONDAY)
    assert codes(plan) == ([expected] if expected else [])
    if expected == ("formal_notice", "registered_letter"):
        assert plan.actions[0].needs_approval


def test_good_payers_get_every_step_from_reminder_2_five_days_later() -> None:
    ladder = {s.code: s.day for s in ladder_for(B2B_STANDARD, "B2B", "", GOOD)}
    assert ladder == {
        "reminder_1": 3,
        "reminder_2": 15,
        "sms": 17,
        "call": 20,
        "letter": 30,
        "formal_notice": 40,
        "litigation_review": 55,
    }


def test_public_bodies_get_no_sms_and_no_call_before_day_20() -> None:
    ladder = {s.code: s.day for s in ladder_for(B2B_STANDARD, "PUBLIC", "", "standard")}
    assert "sms" not in ladder
    assert ladder["call"] == 20


@pytest.mark.parametrize(
    ("flags", "paused"),
    [
        ({"awaiting_approval": True}, "awaiting approval"),
        ({"pending_message": True}, "message not yet sent"),
    ],
)
def test_a_formal_notice_awaiting_approval_or_an_unsent_message_holds_the_ladder(
    flags: dict[str, bool], paused: str
) -> None:
    anchor = MONDAY - timedelta(days=60)
    plan = plan_debtor(state(case=case(anchor, *DONE_BEFORE, on=MONDAY - timedelta(days=5), **flags)), MONDAY)
    assert plan.actions == ()
    assert plan.paused == paused


def test_one_step_per_day_even_when_several_are_late() -> None:
    anchor = MONDAY - timedelta(days=60)
    plan = plan_debtor(state(case=case(anchor, "reminder_1", on=MONDAY)), MONDAY)
    assert plan.actions == ()
    plan = plan_debtor(state(case=case(anchor, "reminder_1", on=MONDAY - timedelta(days=1))), MONDAY)
    assert codes(plan) == [("reminder_2", "email")]


@pytest.mark.parametrize(
    ("reach", "step_done", "expected"),
    [
        (Reach(has_address=True), (), ("reminder_1", "letter")),  # email → letter
        (Reach(), (), ("reminder_1", "task")),  # nothing at all: a task to find a contact
        (
            Reach(has_email=True, has_phone=True),
            ("reminder_1", "reminder_2"),
            ("sms", "sms"),
        ),  # skipped, see below
        (Reach(has_email=True), ("reminder_1", "reminder_2", "sms"), ("call", "task")),
    ],
)
def test_channel_fallback(reach: Reach, step_done: tuple[str, ...], expected: tuple[str, str]) -> None:
    anchor = MONDAY - timedelta(days=20)
    plan = plan_debtor(state(reach=reach, case=case(anchor, *step_done, on=anchor)), MONDAY)
    assert codes(plan) == [expected]
    if expected[0] == "sms":
        assert plan.actions[0].cancel_reason == "no mobile number"


def test_nothing_on_sundays_and_holidays_and_alsace_moselle_has_its_own() -> None:
    anchor = date(2026, 12, 26) - timedelta(days=3)  # reminder_1 due on Saturday 26 December
    saturday = date(2026, 12, 26)
    assert plan_debtor(state(items=overdue(oldest=anchor)), saturday).actions == ()
    b2c = state(debtor_type="B2C", items=overdue(oldest=anchor))
    assert codes(plan_debtor(b2c, saturday)) == [("reminder_1", "email")]  # consumers: Saturdays too
    # 26 December is a holiday in Moselle only.
    moselle = replace(b2c, calendar=calendar_for("FR", "57000"))
    assert plan_debtor(moselle, saturday).actions == ()
    good_friday = date(2027, 3, 26)
    mainland = state(items=overdue(oldest=good_friday - timedelta(days=3)))
    assert codes(plan_debtor(mainland, good_friday)) == [("reminder_1", "email")]
    alsace = replace(mainland, calendar=calendar_for("FR", "67000"))
    assert plan_debtor(alsace, good_friday).actions == ()
    assert plan_debtor(mainland, date(2026, 12, 25)).actions == ()


def test_caps_one_message_a_day_two_a_week() -> None:
    assert within_caps(MONDAY, [])
    assert not within_caps(MONDAY, [MONDAY])
    assert not within_caps(MONDAY, [MONDAY - timedelta(days=1), MONDAY - timedelta(days=6)])
    assert within_caps(MONDAY, [MONDAY - timedelta(days=1), MONDAY - timedelta(days=7)])
    capped = state(message_days=(MONDAY,))
    assert plan_debtor(capped, MONDAY).actions == ()


def test_calls_are_not_capped() -> None:
    anchor = MONDAY - timedelta(days=15)
    plan = plan_debtor(
        state(case=case(anchor, "reminder_1", "reminder_2", "sms", on=anchor), message_days=(MONDAY,)), MONDAY
    )
    assert codes(plan) == [("call", "call")]


def test_disputed_or_held_invoices_pause_the_case_without_closing_it() -> None:
    anchor = MONDAY - timedelta(days=20)
    plan = plan_debtor(
        state(items=ItemsSummary(2, 0, None, ()), case=case(anchor, "reminder_1", on=anchor)), MONDAY
    )
    assert (plan.close_case, plan.actions) == ("", ())
    assert plan.paused == "every overdue invoice is disputed or on hold"


def test_the_case_closes_when_nothing_overdue_is_left() -> None:
    plan = plan_debtor(
        state(items=ItemsSummary(), case=case(MONDAY - timedelta(days=20), "reminder_1")), MONDAY
    )
    assert plan.close_case == "settled"
    assert plan.actions == ()


def test_a_promise_pauses_then_is_kept_or_broken() -> None:
    anchor = MONDAY - timedelta(days=20)
    promise = PromiseState(
        3, MONDAY - timedelta(days=2), MONDAY + timedelta(days=3), Decimal("500"), Decimal("0")
    )
    open_case = case(anchor, "reminder_1", "reminder_2", on=anchor)
    paused = plan_debtor(state(case=open_case, promise=promise), MONDAY)
    assert paused.actions == ()
    assert paused.paused == "promise to pay"
    kept = plan_debtor(state(case=open_case, promise=replace(promise, paid_in_window=Decimal("500"))), MONDAY)
    assert (kept.promise_outcome, kept.close_case, kept.open_case_anchor) == ("kept", "promise kept", None)
    later = MONDAY + timedelta(days=4)
    broken = plan_debtor(state(case=open_case, promise=promise), later)
    assert broken.promise_outcome == "broken"
    assert codes(broken) == [("sms", "sms")]  # resumes where it stopped


def test_do_not_contact_and_insolvency_get_nothing() -> None:
    for reason in ("do_not_contact", "insolvency"):
        plan = plan_debtor(state(blocked=reason, items=overdue(oldest=MONDAY - timedelta(days=30))), MONDAY)
        assert plan.actions == ()
        assert plan.paused == reason


def test_courtesy_five_days_before_to_debtors_with_an_email_and_no_case() -> None:
    due = MONDAY + timedelta(days=5)
    upcoming = ItemsSummary(0, 0, None, (due,))
    assert codes(plan_debtor(state(items=upcoming), MONDAY)) == [("courtesy", "email")]
    assert plan_debtor(state(items=upcoming), MONDAY).actions[0].courtesy_due_date == due
    assert plan_debtor(state(items=upcoming, courtesy_done=frozenset({due})), MONDAY).actions == ()
    assert plan_debtor(state(items=upcoming, reach=Reach(has_address=True)), MONDAY).actions == ()
    with_case = state(items=ItemsSummary(1, 1, MONDAY - timedelta(days=1), (due,)))
    assert [a.code for a in plan_debtor(with_case, MONDAY).actions] == []
    # Day -5 on a Sunday: sent on Monday (still before the due date).
    assert codes(
        plan_debtor(state(items=ItemsSummary(0, 0, None, (MONDAY + timedelta(days=4),))), MONDAY)
    ) == [("courtesy", "email")]


def test_the_same_facts_give_the_same_plan() -> None:
    s = state(items=overdue(oldest=MONDAY - timedelta(days=12)), calendar=Calendar("FR", "57"))
    assert plan_debtor(s, MONDAY) == plan_debtor(s, MONDAY)
