"""Business days per debtor (dunning.md): Monday to Friday except the public holidays of the
debtor's calendar. A debtor in France follows the French calendar, with the Alsace-Moselle days
(Good Friday, 26 December) when its postcode is in 57, 67 or 68 and the overseas days in 971-976;
a debtor abroad follows its country's. Pure: the `holidays` package is data, not I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

# The `holidays` subdivisions of France that change the calendar of a postcode's département.
_FRENCH_SUBDIVISIONS = {
    "57": "57",  # Moselle
    "67": "6AE",  # Bas-Rhin: Alsace
    "68": "6AE",  # Haut-Rhin: Alsace
    "971": "971",  # Guadeloupe
    "972": "972",  # Martinique
    "973": "973",  # Guyane
    "974": "974",  # La Réunion
    "976": "976",  # Mayotte
}


@dataclass(frozen=True)
class Calendar:
    """Whose public holidays apply: a country and, in France, a subdivision."""

    country: str = "FR"
    subdivision: str = ""


def calendar_for(country: str, postcode: str) -> Calendar:
    country = (country or "FR").upper()
    if country != "FR":
        return Calendar(country)
    code = (postcode or "").strip()
    subdivision = _FRENCH_SUBDIVISIONS.get(code[:3]) or _FRENCH_SUBDIVISIONS.get(code[:2], "")
    # "97x" postcodes of départements without their own calendar fall back to mainland France.
    if code[:2] == "97" and subdivision in ("57", "6AE"):
        subdivision = ""
    return Calendar("FR", subdivision)


@lru_cache(maxsize=512)
def _holidays(calendar: Calendar, year: int) -> frozenset[date]:
    try:
        table = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision or None, years=year)
    except NotImplementedError:
        # A country the package does not know: weekends only, rather than refusing to remind.
        return frozenset()
    return frozenset(table.keys())


def is_public_holiday(day: date, calendar: Calendar) -> bool:
    return day in _holidays(calendar, day.year)


def is_business_day(day: date, calendar: Calendar, *, saturdays: bool = False) -> bool:
    """Monday to Friday (and Saturday when `saturdays`, for consumers) that is not a public holiday."""
    weekday = day.weekday()
    if weekday == 6 or (weekday == 5 and not saturdays):
        return False
    return not is_public_holiday(day, calendar)


def next_business_day(day: date, calendar: Calendar, *, saturdays: bool = False) -> date:
    """`day` itself when it is a business day, else the next one."""
    while not is_business_day(day, calendar, saturdays=saturdays):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int, calendar: Calendar) -> date:
    """The `count`-th business day after `day` (count >= 0; 0 gives `day`)."""
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day, calendar):
            count -= 1
    return day
