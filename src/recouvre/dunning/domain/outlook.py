"""Where a debtor stands in its scenario, for a person reading the debtor page: the step reached,
the next one and the earliest day it can come, or why nothing comes (a promise, a pause, a notice
awaiting approval...). PURE: frozen facts in, a frozen answer out, `today` passed in.

It follows the planner's rules (planner.plan_debtor) in the same order, but looks ahead instead of
deciding today: the day given is the earliest one, before contact days and contact caps, which the
planner checks on the day itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from recouvre.dunning.domain.scenario import EffectiveStep

# Why the ladder does not move (`Outlook.state`); the interface words them.
BLOCKED = "blocked"  # do not contact, insolvency, anonymised: no message at all
PROMISE = "promise"  # a promise to pay runs until `until`
PAUSED = "paused"  # every overdue invoice is disputed or on hold (until `until` when known)
AWAITING_APPROVAL = "awaiting_approval"  # a formal notice waits for a manager
PENDING = "pending"  # a message planned, not yet sent (or failed, waiting for a retry)
SCHEDULED = "scheduled"  # the next step comes on `next_day`
COMPLETE = "complete"  # every step of the ladder was done
NOTHING_DUE = "nothing_due"  # no case and nothing overdue


@dataclass(frozen=True)
class StepTaken:
    """An action recorded for the open case."""

    code: str
    channel: str
    scheduled_for: date
    status: str


@dataclass(frozen=True)
class OutlookFacts:
    ladder: tuple[EffectiveStep, ...]
    # The open case's anchor (the due date that opened it); None without an open case.
    case_anchor: date | None = None
    steps: tuple[StepTaken, ...] = ()
    # The oldest overdue invoice neither disputed nor held: a case opens on it at the next plan.
    oldest_active_due: date | None = None
    any_overdue: bool = False
    blocked: str = ""  # "do_not_contact", "insolvency", "redacted"
    promise_until: date | None = None  # the open promise's window end
    hold_until: date | None = None  # every open invoice held until then (debtor paused)


@dataclass(frozen=True)
class Outlook:
    state: str
    current: StepTaken | None = None
    next_step: EffectiveStep | None = None
    next_day: date | None = None
    until: date | None = None
    detail: str = ""


_WAITING = ("planned", "claimed", "sending", "failed")


def _next_step(ladder: tuple[EffectiveStep, ...], done: set[str]) -> EffectiveStep | None:
    return next((s for s in ladder if s.code not in done), None)


def debtor_outlook(facts: OutlookFacts, today: date) -> Outlook:
    current = max(facts.steps, key=lambda s: (s.scheduled_for, s.code), default=None)
    if facts.blocked:
        return Outlook(BLOCKED, current, detail=facts.blocked)
    if facts.case_anchor is None and not facts.any_overdue:
        return Outlook(NOTHING_DUE, current)
    done = {s.code for s in facts.steps}
    step = _next_step(facts.ladder, done)
    if facts.promise_until is not None and today <= facts.promise_until:
        return Outlook(PROMISE, current, step, _after(facts, step, facts.promise_until), facts.promise_until)
    anchor = facts.case_anchor or facts.oldest_active_due
    if anchor is None:
        # Overdue invoices, none of them active: disputed or held.
        return Outlook(PAUSED, current, step, until=facts.hold_until)
    if facts.hold_until is not None and today <= facts.hold_until:
        return Outlook(PAUSED, current, step, _after(facts, step, facts.hold_until), facts.hold_until)
    waiting = [s for s in facts.steps if s.status == "awaiting_approval"]
    if waiting:
        return Outlook(AWAITING_APPROVAL, waiting[0], step)
    pending = [s for s in facts.steps if s.status in _WAITING and s.channel not in ("call", "task")]
    if pending:
        return Outlook(PENDING, pending[0], step, pending[0].scheduled_for)
    if step is None:
        return Outlook(COMPLETE, current)
    return Outlook(SCHEDULED, current, step, _after(facts, step, None, anchor, today))


def _after(
    facts: OutlookFacts,
    step: EffectiveStep | None,
    blocked_until: date | None,
    anchor: date | None = None,
    today: date | None = None,
) -> date | None:
    """The earliest day `step` can come: its day on the ladder, after the last step (one a day), after
    whatever holds the ladder until `blocked_until`."""
    if step is None:
        return None
    anchor = anchor or facts.case_anchor or facts.oldest_active_due
    if anchor is None:
        return None
    candidates = [anchor + timedelta(days=step.day)]
    if facts.steps:
        candidates.append(max(s.scheduled_for for s in facts.steps) + timedelta(days=1))
    if blocked_until is not None:
        candidates.append(blocked_until + timedelta(days=1))
    if today is not None:
        candidates.append(today)
    return max(candidates)
