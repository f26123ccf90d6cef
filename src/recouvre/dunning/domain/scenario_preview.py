"""What a scenario would do, shown in its editor.

- `scenario_calendar` (pure, instant): the dates of its steps for a case that opens today, for one
  debtor type and payer profile, on the French calendar. It knows nothing of the portfolio (caps,
  missing e-mail addresses, payments): it shows the scenario as written.
- `scenario_preview_run` (database, slow): the dry run of `recouvre simulate` over the next 30 days on
  the real portfolio, counting only the messages and tasks of the debtors who follow this scenario.
  The daily cycle plans the whole organisation at once, so the run costs as much as `simulate`
  (minutes at 200k debtors): the back office runs it in the background (`dunning.tasks.scenario_preview_task`)
  and polls for its stored result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from recouvre.dunning.domain.cycle import cycle_plan
from recouvre.dunning.domain.dispatch import dispatch_pass
from recouvre.dunning.domain.runner import moment_on
from recouvre.dunning.domain.scenario import (
    COURTESY,
    EMAIL,
    SMS,
    TASK_CHANNELS,
    ScenarioSpec,
    courtesy_step,
    ladder_for,
)
from recouvre.dunning.domain.scenarios import scenario_resolver
from recouvre.dunning.domain.simulate import DEFAULT_POSTAGE
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.kernel.money import format_amount
from recouvre.law.domain.calendar import Calendar, next_business_day
from recouvre.ledger.models import Debtor

PREVIEW_DAYS = 30


# --- The calendar of steps (pure) ------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarRow:
    code: str
    day: int
    channel: str
    tone: str
    needs_approval: bool
    nominal: date  # anchor due date + day
    planned: date  # not before the step above it, on a business day of the debtor's calendar
    within: bool  # within the next PREVIEW_DAYS days


@dataclass(frozen=True)
class ScenarioCalendar:
    due_date: date  # of the invoice that opens the case: yesterday, so the case opens today
    courtesy: CalendarRow | None  # relative to each upcoming due date, not to this one
    rows: tuple[CalendarRow, ...]


def scenario_calendar(
    spec: ScenarioSpec,
    *,
    today: date,
    debtor_type: str,
    segment: str = "",
    profile: str = "standard",
    calendar: Calendar | None = None,
) -> ScenarioCalendar:
    """The steps a debtor of this type/segment/profile gets if one invoice fell due yesterday.
    Nominal dates only move to the next business day (consumers get e-mails and SMS on Saturdays
    too) and never before the step above: a step is done only after the ones before it."""
    calendar = calendar or Calendar()
    due = today - timedelta(days=1)
    horizon = today + timedelta(days=PREVIEW_DAYS)
    rows: list[CalendarRow] = []
    previous = today
    for step in ladder_for(spec, debtor_type, segment, profile):
        nominal = due + timedelta(days=step.day)
        saturdays = debtor_type == "B2C" and step.channel in (EMAIL, SMS)
        planned = next_business_day(max(nominal, previous), calendar, saturdays=saturdays)
        previous = planned
        rows.append(
            CalendarRow(
                step.code,
                step.day,
                step.channel,
                step.tone,
                step.needs_approval,
                nominal,
                planned,
                planned <= horizon,
            )
        )
    courtesy = courtesy_step(spec, debtor_type, segment, profile)
    courtesy_row = None
    if courtesy is not None:
        # Shown for an invoice falling due in 30 days: the dates are what matters less here.
        upcoming = horizon
        nominal = upcoming + timedelta(days=courtesy.day)
        courtesy_row = CalendarRow(
            COURTESY,
            courtesy.day,
            courtesy.channel,
            courtesy.tone,
            courtesy.needs_approval,
            nominal,
            next_business_day(nominal, calendar),
            True,
        )
    return ScenarioCalendar(due, courtesy_row, tuple(rows))


# --- The 30-day dry run on the portfolio (database) ------------------------------------------------


class _Rollback(Exception):
    pass


def scenario_preview_run(
    *, organisation: Any, scenario_id: int, start: date, days: int = PREVIEW_DAYS
) -> dict[str, Any]:
    """The daily cycle from `start`, `days` days, rolled back (as `simulate_range`): what the debtors
    following the scenario would get, by day and step. Call inside the organisation's scope."""
    prices = {
        k: Decimal(v)
        for k, v in {**DEFAULT_POSTAGE, **(organisation.settings or {}).get("postage", {})}.items()
    }
    resolve = scenario_resolver(organisation=organisation)
    follows: dict[int, bool] = {}

    def following(debtor_ids: set[int]) -> set[int]:
        unknown = debtor_ids - follows.keys()
        for pk, debtor_type, segment in Debtor.objects.filter(pk__in=unknown).values_list(
            "pk", "debtor_type", "segment"
        ):
            follows[pk] = resolve(pk, debtor_type, segment).id == scenario_id
        return {pk for pk in debtor_ids if follows.get(pk)}

    rows: list[dict[str, Any]] = []
    by_step: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    debtors: set[int] = set()
    postage = Decimal("0")
    end = start + timedelta(days=days - 1)
    try:
        with transaction.atomic():
            day = start
            while day <= end:
                now = moment_on(day, organisation, timezone.now())
                cycle_plan(organisation=organisation, today=day, now=now)
                # As `simulate`: a manager is assumed to approve formal notices the day they are planned.
                Action.objects.filter(status=ActionStatus.AWAITING_APPROVAL).update(
                    status=ActionStatus.PLANNED, approved_at=now
                )
                dispatch_pass(organisation=organisation, today=day, now=now, dry_run=True)
                done = list(
                    Action.objects.filter(dispatched_at=now, status=ActionStatus.DISPATCHED).values_list(
                        "debtor_id", "step", "channel"
                    )
                ) + list(
                    Action.objects.filter(
                        scheduled_for=day, status=ActionStatus.PLANNED, channel__in=TASK_CHANNELS
                    ).values_list("debtor_id", "step", "channel")
                )
                mine = following({debtor_id for debtor_id, _, _ in done})
                steps: Counter[str] = Counter()
                for debtor_id, step, channel in done:
                    if debtor_id in mine:
                        steps[step] += 1
                        by_channel[channel] += 1
                        postage += prices.get(channel, Decimal("0"))
                        debtors.add(debtor_id)
                by_step.update(steps)
                if steps:
                    rows.append({"date": day.isoformat(), "steps": dict(sorted(steps.items()))})
                day += timedelta(days=1)
            raise _Rollback
    except _Rollback:
        pass
    return {
        "organisation_id": organisation.pk,
        "scenario_id": scenario_id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "days": rows,
        "by_step": dict(sorted(by_step.items())),
        "by_channel": dict(sorted(by_channel.items())),
        "debtors": len(debtors),
        "postage": format_amount(postage),
    }
