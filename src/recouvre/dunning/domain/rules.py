"""The contact rules an organisation may change (dunning.md "Contact rules (defaults, editable per
organisation)"), read from `Organisation.settings["dunning"]`. The back office's settings page writes
them; the planner and the dispatcher read them through here so that both apply the same caps."""

from __future__ import annotations

from typing import Any

from recouvre.dunning.domain.planner import DEFAULT_CAPS, Caps
from recouvre.law.domain.calendar import Calendar, calendar_for


def caps_of(organisation: Any) -> Caps:
    dunning = (organisation.settings or {}).get("dunning", {})
    per_day = int(dunning.get("cap_per_day", DEFAULT_CAPS.per_day))
    per_week = int(dunning.get("cap_per_week", DEFAULT_CAPS.per_week))
    # A stored value outside what the settings form accepts falls back to the law-abiding default
    # rather than letting a typo flood a debtor.
    if per_day < 1 or per_week < per_day:
        return DEFAULT_CAPS
    return Caps(per_day, per_week)


def organisation_calendar(organisation: Any) -> Calendar:
    """When the creditor's people and print room work (letters are produced on its business days):
    the holidays zone chosen in its settings, else the one of its address."""
    zone = str((organisation.settings or {}).get("holidays_zone", "") or "")
    if zone:
        country, _, subdivision = zone.partition("-")
        return Calendar(country, subdivision)
    return calendar_for(organisation.country, organisation.postcode)
