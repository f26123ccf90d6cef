"""The planner: what is due today for one debtor, from frozen facts (dunning.md). Pure: the cycle
service loads the facts for the whole portfolio set-wise, calls `plan_debtor` per debtor and
writes the decisions.

The rules it encodes, in order: a case closes when nothing overdue is left open; a promise to pay
pauses the case until its window ends (kept closes it, broken resumes it); a debtor marked do not
contact or in insolvency proceedings gets no message; a case opens on the first overdue, undisputed,
unheld invoice; while every overdue invoice is disputed or held the case is paused; a formal notice
awaiting approval, or a message not yet sent, holds the ladder; otherwise the first ladder step not
yet done comes once its day has passed, one step per day, on a contact day, within the caps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from recouvre.dunning.domain.scenario import (
    CALL,
    EMAIL,
    LETTER,
    MESSAGE_CHANNELS,
    POSTAL_CHANNELS,
    SMS,
    TASK,
    ScenarioSpec,
    courtesy_step,
    ladder_for,
)
from recouvre.law.domain.calendar import Calendar, is_business_day

COURTESY_LEAD_DAYS = 5
FRANCE = Calendar()  # mainland France: a frozen value, shared as a default


@dataclass(frozen=True)
class Caps:
    """At most `per_day` messages a day and `per_week` over a rolling 7 days (today included) per
    debtor (its SIREN group); dunning.md's defaults, editable per organisation."""

    per_day: int = 1
    per_week: int = 2


DEFAULT_CAPS = Caps()


@dataclass(frozen=True)
class OpenItem:
    invoice_id: int
    due_date: date
    open_amount: Decimal
    disputed: bool = False
    held: bool = False


@dataclass(frozen=True)
class ItemsSummary:
    """What the planner needs of a debtor's open invoices; `summarise` computes it from the items,
    and the cycle's set-based query computes the same figures in SQL."""

    overdue_any: int = 0  # overdue open invoices, disputed and held ones included
    overdue_active: int = 0  # overdue, open, undisputed, not held
    oldest_active_due: date | None = None
    upcoming_due_dates: tuple[date, ...] = ()  # active invoices due within the courtesy lead


def summarise(items: Iterable[OpenItem], today: date) -> ItemsSummary:
    overdue_any = overdue_active = 0
    oldest: date | None = None
    upcoming: set[date] = set()
    horizon = today + timedelta(days=COURTESY_LEAD_DAYS)
    for item in items:
        if item.open_amount <= 0:
            continue
        active = not item.disputed and not item.held
        if item.due_date < today:
            overdue_any += 1
            if active:
                overdue_active += 1
                oldest = item.due_date if oldest is None else min(oldest, item.due_date)
        elif active and today < item.due_date <= horizon:
            upcoming.add(item.due_date)
    return ItemsSummary(overdue_any, overdue_active, oldest, tuple(sorted(upcoming)))


@dataclass(frozen=True)
class Reach:
    has_email: bool = False
    has_mobile: bool = False
    has_phone: bool = False
    has_address: bool = False


@dataclass(frozen=True)
class StepRecord:
    """An action already recorded for the case."""

    code: str
    channel: str
    scheduled_for: date
    awaiting_approval: bool = False
    # A message planned and not yet sent (or failed and due for a retry): it holds the ladder.
    pending_message: bool = False


@dataclass(frozen=True)
class CaseState:
    id: int | None
    anchor_due_date: date
    steps: tuple[StepRecord, ...] = ()


@dataclass(frozen=True)
class PromiseState:
    id: int
    made_on: date
    window_end: date  # promised date + 2 business days
    amount: Decimal
    paid_in_window: Decimal


@dataclass(frozen=True)
class DebtorState:
    debtor_id: int
    debtor_type: str
    scenario: ScenarioSpec
    items: ItemsSummary
    calendar: Calendar = FRANCE
    segment: str = ""
    profile: str = "standard"
    reach: Reach = field(default_factory=Reach)
    blocked: str = ""  # "do_not_contact" or "insolvency": no message at all
    case: CaseState | None = None
    promise: PromiseState | None = None
    has_active_plan: bool = False
    # A case of this debtor closed today (e.g. a promise kept): a new one waits for tomorrow, so that a
    # second run of the same day opens nothing the first one did not.
    closed_today: bool = False
    courtesy_done: frozenset[date] = frozenset()
    # Days on which a message (not a task) went or is planned to go to this debtor or to another
    # account with the same SIREN, over the last 7 days.
    message_days: tuple[date, ...] = ()


@dataclass(frozen=True)
class PlannedAction:
    code: str
    channel: str
    scheduled_for: date
    tone: str = ""
    needs_approval: bool = False
    cancel_reason: str = ""  # set: recorded as cancelled (a step skipped), it still counts as done
    courtesy_due_date: date | None = None
    fallback_from: str = ""  # the scenario's channel when another one had to be used


@dataclass(frozen=True)
class DebtorPlan:
    debtor_id: int
    open_case_anchor: date | None = None
    close_case: str = ""  # the reason, when the case closes
    promise_outcome: str = ""  # "kept" or "broken"
    paused: str = ""  # why the ladder waits (for the record and the tests)
    actions: tuple[PlannedAction, ...] = field(default_factory=tuple)

    @property
    def changes_anything(self) -> bool:
        return bool(self.open_case_anchor or self.close_case or self.promise_outcome or self.actions)


def is_contact_day(
    day: date, channel: str, *, debtor_type: str, calendar: Calendar, organisation_calendar: Calendar
) -> bool:
    """Emails, SMS and calls on the debtor's business days (Saturdays too for consumers); letters
    on the days both the debtor's calendar and the creditor's print room work; internal tasks on
    the creditor's business days."""
    if channel == TASK:
        return is_business_day(day, organisation_calendar)
    if channel in POSTAL_CHANNELS:
        return is_business_day(day, calendar) and is_business_day(day, organisation_calendar)
    return is_business_day(day, calendar, saturdays=debtor_type == "B2C")


def _contact_day(day: date, channel: str, state: DebtorState, organisation_calendar: Calendar) -> bool:
    return is_contact_day(
        day,
        channel,
        debtor_type=state.debtor_type,
        calendar=state.calendar,
        organisation_calendar=organisation_calendar,
    )


def within_caps(day: date, message_days: Iterable[date], caps: Caps = DEFAULT_CAPS) -> bool:
    days = list(message_days)
    if sum(1 for d in days if d == day) >= caps.per_day:
        return False
    week_start = day - timedelta(days=6)
    return sum(1 for d in days if week_start <= d <= day) < caps.per_week


def _resolve_channel(channel: str, reach: Reach) -> tuple[str, str, str]:
    """(channel, fallback_from, cancel_reason) for a step's channel given how the debtor can be
    reached (dunning.md: email → letter; SMS → skipped; call with no phone → a task to find one)."""
    if channel == EMAIL and not reach.has_email:
        if reach.has_address:
            return LETTER, EMAIL, ""
        return TASK, EMAIL, ""
    if channel == SMS and not reach.has_mobile:
        return SMS, "", "no mobile number"
    if channel == CALL and not reach.has_phone:
        return TASK, CALL, ""
    if channel in POSTAL_CHANNELS and not reach.has_address:
        return TASK, channel, ""
    return channel, "", ""


def _ladder_action(
    state: DebtorState, case: CaseState, today: date, org_calendar: Calendar, caps: Caps
) -> tuple[PlannedAction | None, str]:
    if any(step.awaiting_approval for step in case.steps):
        return None, "awaiting approval"
    if any(step.pending_message for step in case.steps):
        return None, "message not yet sent"
    if case.steps and today <= max(step.scheduled_for for step in case.steps):
        return None, "one step per day"
    done = {step.code for step in case.steps}
    ladder = ladder_for(state.scenario, state.debtor_type, state.segment, state.profile)
    step = next((s for s in ladder if s.code not in done), None)
    if step is None:
        return None, "ladder complete"
    if case.anchor_due_date + timedelta(days=step.day) > today:
        return None, ""
    channel, fallback_from, cancel_reason = _resolve_channel(step.channel, state.reach)
    if cancel_reason:
        return PlannedAction(step.code, channel, today, step.tone, cancel_reason=cancel_reason), ""
    if not _contact_day(today, channel, state, org_calendar):
        return None, "not a contact day"
    if channel in MESSAGE_CHANNELS and not within_caps(today, state.message_days, caps):
        return None, "contact cap reached"
    return (
        PlannedAction(
            step.code,
            channel,
            today,
            step.tone,
            needs_approval=step.needs_approval and channel != TASK,
            fallback_from=fallback_from,
        ),
        "",
    )


def _courtesy_action(
    state: DebtorState, today: date, org_calendar: Calendar, caps: Caps
) -> PlannedAction | None:
    spec = courtesy_step(state.scenario, state.debtor_type, state.segment, state.profile)
    if spec is None or not state.reach.has_email:
        return None
    for due in state.items.upcoming_due_dates:
        if due in state.courtesy_done or not (due + timedelta(days=spec.day) <= today < due):
            continue
        if not _contact_day(today, EMAIL, state, org_calendar) or not within_caps(
            today, state.message_days, caps
        ):
            return None
        return PlannedAction(spec.code, EMAIL, today, spec.tone, courtesy_due_date=due)
    return None


def plan_debtor(
    state: DebtorState, today: date, organisation_calendar: Calendar = FRANCE, caps: Caps = DEFAULT_CAPS
) -> DebtorPlan:
    case = state.case
    close = promise_outcome = paused = ""
    if case is not None and state.items.overdue_any == 0:
        close, case = "settled", None
    promise = state.promise
    if promise is not None and promise.made_on <= today:
        if promise.paid_in_window >= promise.amount:
            promise_outcome = "kept"
            if case is not None:
                close, case = "promise kept", None
        elif today > promise.window_end:
            promise_outcome = "broken"
        else:
            paused = "promise to pay"
    anchor = None
    if case is None and not close and not state.closed_today and state.items.overdue_active > 0:
        anchor = state.items.oldest_active_due
        assert anchor is not None
        case = CaseState(None, anchor)
    actions: list[PlannedAction] = []
    if state.blocked:
        paused = state.blocked
    elif paused:
        pass
    elif case is not None:
        if state.items.overdue_active == 0:
            paused = "every overdue invoice is disputed or on hold"
        elif state.has_active_plan:
            paused = "payment plan"
        else:
            action, paused = _ladder_action(state, case, today, organisation_calendar, caps)
            if action is not None:
                actions.append(action)
    else:
        courtesy = _courtesy_action(state, today, organisation_calendar, caps)
        if courtesy is not None:
            actions.append(courtesy)
    return DebtorPlan(state.debtor_id, anchor, close, promise_outcome, paused, tuple(actions))
