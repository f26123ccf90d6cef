"""Where a debtor stands in its scenario: pure, no database."""

from __future__ import annotations

from datetime import date, timedelta

from recouvre.dunning.domain.outlook import (
    AWAITING_APPROVAL,
    BLOCKED,
    COMPLETE,
    NOTHING_DUE,
    PAUSED,
    PENDING,
    PROMISE,
    SCHEDULED,
    OutlookFacts,
    StepTaken,
    debtor_outlook,
)
from recouvre.dunning.domain.scenario import B2B_STANDARD, ladder_for

TODAY = date(2026, 11, 22)
LADDER = ladder_for(B2B_STANDARD, "B2B", "PME", "standard")
ANCHOR = date(2026, 11, 10)  # reminder_1 on day 3 (13/11), reminder_2 on day 10 (20/11), sms on day 12


def taken(code: str, day: date, status: str = "dispatched", channel: str = "email") -> StepTaken:
    return StepTaken(code, channel, day, status)


def test_nothing_overdue_and_no_case_means_nothing_due():
    outlook = debtor_outlook(OutlookFacts(ladder=LADDER), TODAY)
    assert (outlook.state, outlook.next_step, outlook.next_day) == (NOTHING_DUE, None, None)


def test_a_case_gives_the_step_reached_and_the_next_step_on_its_ladder_day():
    facts = OutlookFacts(
        ladder=LADDER,
        case_anchor=ANCHOR,
        steps=(taken("reminder_1", date(2026, 11, 13)), taken("reminder_2", date(2026, 11, 20))),
        any_overdue=True,
        oldest_active_due=ANCHOR,
    )
    outlook = debtor_outlook(facts, TODAY)
    assert outlook.state == SCHEDULED
    assert outlook.current is not None
    assert outlook.current.code == "reminder_2"
    assert outlook.next_step is not None
    assert outlook.next_step.code == "sms"
    assert outlook.next_day == ANCHOR + timedelta(days=12)  # 22/11: today


def test_a_step_whose_day_has_passed_comes_today_at_the_earliest():
    facts = OutlookFacts(ladder=LADDER, case_anchor=date(2026, 9, 1), any_overdue=True)
    outlook = debtor_outlook(facts, TODAY)
    assert outlook.next_step is not None
    assert outlook.next_step.code == "reminder_1"
    assert outlook.next_day == TODAY


def test_one_step_a_day_pushes_the_next_to_tomorrow():
    facts = OutlookFacts(
        ladder=LADDER, case_anchor=date(2026, 9, 1), steps=(taken("reminder_1", TODAY),), any_overdue=True
    )
    assert debtor_outlook(facts, TODAY).next_day == TODAY + timedelta(days=1)


def test_no_case_yet_but_an_active_overdue_invoice_opens_one_at_the_next_plan():
    facts = OutlookFacts(ladder=LADDER, oldest_active_due=date(2026, 11, 21), any_overdue=True)
    outlook = debtor_outlook(facts, TODAY)
    assert outlook.state == SCHEDULED
    assert outlook.next_step is not None
    assert outlook.next_step.code == "reminder_1"
    assert outlook.next_day == date(2026, 11, 24)  # due 21/11 + 3 days


def test_a_promise_pauses_until_its_window_end_and_says_what_comes_after():
    facts = OutlookFacts(ladder=LADDER, case_anchor=ANCHOR, any_overdue=True, promise_until=date(2026, 12, 4))
    outlook = debtor_outlook(facts, TODAY)
    assert (outlook.state, outlook.until) == (PROMISE, date(2026, 12, 4))
    assert outlook.next_day == date(2026, 12, 5)


def test_a_promise_whose_window_ended_no_longer_pauses():
    facts = OutlookFacts(
        ladder=LADDER, case_anchor=ANCHOR, any_overdue=True, promise_until=TODAY - timedelta(1)
    )
    assert debtor_outlook(facts, TODAY).state == SCHEDULED


def test_a_pause_until_a_day_and_disputed_invoices_only():
    held = OutlookFacts(
        ladder=LADDER,
        case_anchor=ANCHOR,
        any_overdue=True,
        oldest_active_due=None,
        hold_until=date(2026, 12, 1),
    )
    outlook = debtor_outlook(held, TODAY)
    assert (outlook.state, outlook.until, outlook.next_day) == (PAUSED, date(2026, 12, 1), date(2026, 12, 2))
    disputed = OutlookFacts(ladder=LADDER, any_overdue=True, oldest_active_due=None)
    assert (debtor_outlook(disputed, TODAY).state, debtor_outlook(disputed, TODAY).until) == (PAUSED, None)


def test_blocked_debtors_get_nothing_whatever_else_holds():
    facts = OutlookFacts(
        ladder=LADDER, case_anchor=ANCHOR, any_overdue=True, blocked="insolvency", promise_until=TODAY
    )
    outlook = debtor_outlook(facts, TODAY)
    assert (outlook.state, outlook.detail, outlook.next_step) == (BLOCKED, "insolvency", None)


def test_a_formal_notice_awaiting_approval_holds_the_ladder():
    facts = OutlookFacts(
        ladder=LADDER,
        case_anchor=date(2026, 9, 1),
        steps=(
            taken("letter", date(2026, 10, 1), channel="letter"),
            taken("formal_notice", date(2026, 10, 10), "awaiting_approval", "registered_letter"),
        ),
        any_overdue=True,
    )
    outlook = debtor_outlook(facts, TODAY)
    assert outlook.state == AWAITING_APPROVAL
    assert outlook.current is not None
    assert outlook.current.code == "formal_notice"


def test_a_message_not_yet_sent_is_pending_but_an_open_call_task_is_not():
    pending = OutlookFacts(
        ladder=LADDER, case_anchor=ANCHOR, steps=(taken("sms", TODAY, "planned", "sms"),), any_overdue=True
    )
    assert debtor_outlook(pending, TODAY).state == PENDING
    call = OutlookFacts(
        ladder=LADDER,
        case_anchor=date(2026, 9, 1),
        steps=(taken("call", TODAY - timedelta(1), "planned", "call"),),
        any_overdue=True,
    )
    assert debtor_outlook(call, TODAY).state == SCHEDULED


def test_every_step_done_is_complete():
    steps = tuple(
        taken(s.code, date(2026, 9, 2) + timedelta(days=i), channel=s.channel) for i, s in enumerate(LADDER)
    )
    facts = OutlookFacts(ladder=LADDER, case_anchor=date(2026, 9, 1), steps=steps, any_overdue=True)
    outlook = debtor_outlook(facts, TODAY)
    assert (outlook.state, outlook.next_step) == (COMPLETE, None)
    assert outlook.current is not None
    assert outlook.current.code == LADDER[-1].code
