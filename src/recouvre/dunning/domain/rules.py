"""The contact rules an organisation may change (dunning.md "Contact rules (defaults, editable per
organisation)"), read from `Organisation.settings["dunning"]`. The back office's settings page writes
them; the planner and the dispatcher read them through here so that both apply the same caps."""

from __future__ import annotations

from datetime import date
from typing import Any

import holidays
from django.utils.translation import gettext_lazy as _

from recouvre.dunning.domain.planner import DEFAULT_CAPS, Caps
from recouvre.law.domain.calendar import Calendar, calendar_for

# The holidays zones `organisation_calendar` understands, as stored in settings["holidays_zone"]:
# the French calendars law.domain.calendar gives a postcode (its `holidays` subdivisions).
HOLIDAYS_ZONES = (
    ("FR", _("France métropolitaine")),
    ("FR-57", _("Moselle (57)")),
    ("FR-6AE", _("Alsace : Bas-Rhin (67), Haut-Rhin (68)")),
    ("FR-971", _("Guadeloupe (971)")),
    ("FR-972", _("Martinique (972)")),
    ("FR-973", _("Guyane (973)")),
    ("FR-974", _("La Réunion (974)")),
    ("FR-976", _("Mayotte (976)")),
)
_ZONE_CODES = frozenset(code for code, _label in HOLIDAYS_ZONES)


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
    # An unknown zone would read as "no public holidays at all": the address's calendar is safer.
    if zone in _ZONE_CODES or (len(zone) == 2 and zone.isalpha() and zone.isupper()):
        country, _sep, subdivision = zone.partition("-")
        return Calendar(country, subdivision)
    return calendar_for(organisation.country, organisation.postcode)


def zone_of(calendar: Calendar) -> str:
    """The settings value naming `calendar` ("FR", "FR-57"…)."""
    return f"{calendar.country}-{calendar.subdivision}" if calendar.subdivision else calendar.country


def public_holidays(calendar: Calendar, year: int, language: str = "fr") -> list[tuple[date, str]]:
    """The public holidays of `calendar` in `year`, in date order, named in `language`."""
    try:
        table = holidays.country_holidays(
            calendar.country,
            subdiv=calendar.subdivision or None,
            years=year,
            language="fr" if language.startswith("fr") else "en_US",
        )
    except NotImplementedError:
        return []
    return sorted(table.items())
