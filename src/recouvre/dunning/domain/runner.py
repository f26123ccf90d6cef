"""The daily cycle as one call (`recouvre cycle --date D`) and as the worker's clock: plan at
08:00 Europe/Paris (configurable per organisation), dispatch within contact hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django_scopes import scope

from recouvre.dunning.domain.cycle import PlanFigures, cycle_plan
from recouvre.dunning.domain.dispatch import DispatchFigures, dispatch_pass
from recouvre.dunning.domain.profiles import payer_profiles_store
from recouvre.dunning.models import CycleRun

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class ContactHours:
    plan_at: time
    start: time
    end: time


def contact_hours(organisation: Any) -> ContactHours:
    dunning = (organisation.settings or {}).get("dunning", {})
    return ContactHours(
        time.fromisoformat(dunning.get("plan_at", settings.CYCLE_PLAN_AT)),
        time.fromisoformat(dunning.get("contact_start", "09:00")),
        time.fromisoformat(dunning.get("contact_end", "19:00")),
    )


def moment_on(day: date, organisation: Any, real_now: datetime | None = None) -> datetime:
    """The moment recorded for a cycle run "as if on day D during working hours": the real time of
    day, kept within the contact hours."""
    hours = contact_hours(organisation)
    clock = (real_now or timezone.now()).astimezone(PARIS).time().replace(microsecond=0)
    latest = time(hours.end.hour - 1, 59) if hours.end.hour else hours.end
    clock = min(max(clock, hours.start), latest)
    return datetime.combine(day, clock, tzinfo=PARIS)


def cycle_run(*, organisation: Any, day: date) -> tuple[PlanFigures, DispatchFigures]:
    """Plans day D and dispatches what needs no approval, as of D."""
    now = moment_on(day, organisation)
    with scope(organisation=organisation):
        plan = cycle_plan(organisation=organisation, today=day, now=now)
        sent = dispatch_pass(organisation=organisation, today=day, now=now)
    return plan, sent


def clock_tick(*, organisation: Any, now: datetime | None = None) -> dict[str, Any]:
    """What the worker's clock does each minute: plan today once it is past the planning time (once
    per day, whatever the number of workers), then dispatch within contact hours."""
    now = now or timezone.now()
    local = now.astimezone(PARIS)
    hours = contact_hours(organisation)
    done: dict[str, Any] = {}
    with scope(organisation=organisation):
        if local.time() >= hours.plan_at:
            run = CycleRun.objects.filter(organisation=organisation, day=local.date()).first()
            if run is None or run.planned_at is None:
                done["planned"] = cycle_plan(organisation=organisation, today=local.date(), now=now).as_dict()
                # The portfolio's balances and payer profiles for the new day, so that the first
                # page of the morning does not pay for them (payer_profiles_store builds both).
                payer_profiles_store(organisation=organisation, today=local.date())
        if hours.start <= local.time() < hours.end:
            done["dispatched"] = dispatch_pass(
                organisation=organisation, today=local.date(), now=now
            ).__dict__
    return done
