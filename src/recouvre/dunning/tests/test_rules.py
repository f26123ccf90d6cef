"""The contact rules an organisation sets in its settings reach the planner (dunning.md "Contact
rules (defaults, editable per organisation)"). No database: organisations are unsaved rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from recouvre.dunning.domain.planner import DEFAULT_CAPS, Caps, is_contact_day, plan_debtor
from recouvre.dunning.domain.rules import (
    HOLIDAYS_ZONES,
    caps_of,
    organisation_calendar,
    public_holidays,
    zone_of,
)
from recouvre.dunning.tests.test_planner import MONDAY, codes, state
from recouvre.law.domain.calendar import Calendar, calendar_for
from recouvre.tenancy.models import Organisation

pytestmark = pytest.mark.unit

GOOD_FRIDAY = date(2027, 3, 26)


def org(settings: dict[str, object] | None = None, postcode: str = "75001") -> Organisation:
    return Organisation(name="Acme", country="FR", postcode=postcode, settings=settings or {})


def test_a_weekly_cap_of_three_lets_a_third_message_through() -> None:
    # Two messages already this rolling week: the default cap (2) holds reminder_1 back.
    two_this_week = state(message_days=(MONDAY - timedelta(days=1), MONDAY - timedelta(days=4)))
    assert plan_debtor(two_this_week, MONDAY, caps=caps_of(org())).actions == ()
    three = org({"dunning": {"cap_per_day": 1, "cap_per_week": 3}})
    assert caps_of(three) == Caps(1, 3)
    assert codes(plan_debtor(two_this_week, MONDAY, caps=caps_of(three))) == [("reminder_1", "email")]


def test_a_daily_cap_of_two_lets_a_second_message_the_same_day() -> None:
    one_today = state(message_days=(MONDAY,))
    assert plan_debtor(one_today, MONDAY, caps=caps_of(org())).actions == ()
    two_a_day = org({"dunning": {"cap_per_day": 2, "cap_per_week": 3}})
    assert codes(plan_debtor(one_today, MONDAY, caps=caps_of(two_a_day))) == [("reminder_1", "email")]


@pytest.mark.parametrize("dunning", [{"cap_per_day": 0}, {"cap_per_day": 2, "cap_per_week": 1}, {}])
def test_caps_the_settings_form_would_refuse_fall_back_to_the_defaults(dunning: dict[str, int]) -> None:
    assert caps_of(org({"dunning": dunning})) == DEFAULT_CAPS


def test_a_holidays_zone_changes_the_organisation_calendar() -> None:
    paris = org()
    assert organisation_calendar(paris) == Calendar("FR", "")
    moselle = org({"holidays_zone": "FR-57"})
    assert organisation_calendar(moselle) == Calendar("FR", "57")
    # Good Friday is a working day in Paris, not in Moselle: letters wait there.
    france = calendar_for("FR", "75001")
    kwargs = {"debtor_type": "B2B", "calendar": france}
    assert is_contact_day(GOOD_FRIDAY, "letter", organisation_calendar=organisation_calendar(paris), **kwargs)
    assert not is_contact_day(
        GOOD_FRIDAY, "letter", organisation_calendar=organisation_calendar(moselle), **kwargs
    )


def test_without_a_zone_or_with_an_unknown_one_the_address_decides() -> None:
    assert organisation_calendar(org(postcode="67000")) == Calendar("FR", "6AE")
    # An unknown zone would mean "no public holidays at all"; the address is the safer reading.
    assert organisation_calendar(org({"holidays_zone": "FR-XX"}, postcode="67000")) == Calendar("FR", "6AE")


def test_every_offered_zone_names_a_calendar_with_holidays() -> None:
    for zone, _label in HOLIDAYS_ZONES:
        calendar = organisation_calendar(org({"holidays_zone": zone}))
        assert zone_of(calendar) == zone
        days = public_holidays(calendar, 2026)
        assert (date(2026, 7, 14), "Fête nationale") in days
    alsace = dict(public_holidays(Calendar("FR", "6AE"), 2026, "en"))
    assert date(2026, 12, 26) in alsace
    assert date(2026, 4, 3) in alsace
    assert date(2026, 12, 26) not in dict(public_holidays(Calendar("FR"), 2026))
