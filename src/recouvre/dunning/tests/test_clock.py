"""The worker's clock (dunning.md, "When it runs"): it plans once past 08:00 Europe/Paris and
dispatches only within contact hours; several workers ticking at once plan the day once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from recouvre.dunning.domain.runner import clock_tick, moment_on
from recouvre.dunning.models import Action, CycleRun
from recouvre.dunning.tests.support import MONDAY, line, load

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
PARIS = ZoneInfo("Europe/Paris")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(MONDAY.year, MONDAY.month, MONDAY.day, hour, minute, tzinfo=PARIS)


def test_plans_at_eight_then_sends_from_nine_and_not_after_seven(organisation, import_csv, mailoutbox):
    load(import_csv, organisation, line("F-1", "C1", MONDAY - timedelta(days=3), email="a@client.example"))
    assert clock_tick(organisation=organisation, now=at(7, 59)) == {}
    done = clock_tick(organisation=organisation, now=at(8, 0))
    assert done["planned"]["planned"] == 1
    assert "dispatched" not in done  # before 09:00: nothing leaves
    assert mailoutbox == []
    again = clock_tick(organisation=organisation, now=at(8, 30))
    assert "planned" not in again  # once a day
    sent = clock_tick(organisation=organisation, now=at(9, 0))
    assert sent["dispatched"]["dispatched"] == 1
    assert len(mailoutbox) == 1
    with scope(organisation=organisation):
        assert CycleRun.objects.filter(day=MONDAY).count() == 1
        assert Action.objects.get().status == "dispatched"


def test_no_dispatch_after_contact_hours_and_the_planning_time_is_a_setting(
    organisation, import_csv, mailoutbox
):
    organisation.settings = {"dunning": {"plan_at": "06:30", "contact_end": "18:00"}}
    organisation.save()
    load(import_csv, organisation, line("F-1", "C1", MONDAY - timedelta(days=3), email="a@client.example"))
    late = clock_tick(organisation=organisation, now=at(18, 0))
    assert late["planned"]["planned"] == 1
    assert "dispatched" not in late
    assert mailoutbox == []
    early = clock_tick(organisation=organisation, now=at(6, 30) + timedelta(days=1))
    assert "planned" in early


def test_a_cycle_for_a_past_day_is_dated_within_that_days_contact_hours(organisation):
    moment = moment_on(MONDAY, organisation, real_now=datetime(2026, 11, 22, 23, 30, tzinfo=PARIS))
    assert (moment.date(), moment.hour, moment.minute) == (MONDAY, 18, 59)
    moment = moment_on(MONDAY, organisation, real_now=datetime(2026, 11, 22, 6, 0, tzinfo=PARIS))
    assert (moment.hour, moment.minute) == (9, 0)
