"""`Organisation.settings`, typed. The JSON keeps the keys other apps already read (dunning's
`dunning.plan_at`, `dunning.contact_start`, `dunning.contact_end`, `dunning.cap_per_day`,
`dunning.cap_per_week`, `holidays_zone`; compose's `phone`, `signature`; messaging's `email_url`,
`sms`; the penalties' `law.interest_first`, `law.contractual_rate`, `law.divisor`): this module reads
and writes exactly those, and leaves every other key alone.

Pure: no Django, no database; the caller passes the default planning time (a project setting)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

# dunning.md "Contact rules (defaults, editable per organisation)".
DEFAULT_CONTACT_START = time(9, 0)
DEFAULT_CONTACT_END = time(19, 0)
DEFAULT_CAP_PER_DAY = 1
DEFAULT_CAP_PER_WEEK = 2
# Beyond these a debtor would be flooded; a rolling week cannot hold more than 7 days' worth either.
MAX_CAP_PER_DAY = 3
MAX_CAP_PER_WEEK = 7

# french-law.md: actual days over 365 by default; some contracts divide by 360.
DIVISORS = (365, 360)
# A contractual late-payment rate, percent per year: above 0, below 100, at most 3 decimals (the
# precision of the debtor's and invoice's own rates).
RATE_DECIMALS = 3
MAX_RATE = Decimal(100)

# "FR" (mainland), "FR-57", "FR-6AE", "FR-971"…: a country and an optional `holidays` subdivision.
_ZONE = re.compile(r"^[A-Z]{2}(-[0-9A-Z]{1,3})?$")


@dataclass(frozen=True)
class ContactRules:
    plan_at: time
    contact_start: time = DEFAULT_CONTACT_START
    contact_end: time = DEFAULT_CONTACT_END
    cap_per_day: int = DEFAULT_CAP_PER_DAY
    cap_per_week: int = DEFAULT_CAP_PER_WEEK


@dataclass(frozen=True)
class LawSettings:
    """How the organisation's late-payment figures are computed and payments imputed."""

    # Payments settle interest due before principal (C. civ. 1343-1); off by default (french-law.md).
    interest_first: bool = False
    # None: the statutory rate (ECB + 10 points); a debtor's or invoice's own rate overrides this one.
    contractual_rate: Decimal | None = None
    divisor: int = DIVISORS[0]


@dataclass(frozen=True)
class OrganisationSettings:
    contact: ContactRules
    holidays_zone: str = ""  # empty: from the organisation's address
    phone: str = ""
    signature: str = ""
    sender_email: str = ""  # empty: the project's sender address
    law: LawSettings = field(default_factory=LawSettings)


def _time(value: Any, default: time) -> time:
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            return default
    return default


def _int(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def rate_is_valid(rate: Decimal) -> bool:
    exponent = rate.as_tuple().exponent
    return (
        rate.is_finite()
        and isinstance(exponent, int)
        and exponent >= -RATE_DECIMALS
        and Decimal(0) < rate < MAX_RATE
    )


def _rate(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        return None
    return rate if rate_is_valid(rate) else None


def _law(value: Any) -> LawSettings:
    law = value if isinstance(value, Mapping) else {}
    divisor = law.get("divisor")
    return LawSettings(
        interest_first=law.get("interest_first") is True,
        contractual_rate=_rate(law.get("contractual_rate")),
        divisor=divisor if divisor in DIVISORS and not isinstance(divisor, bool) else DIVISORS[0],
    )


def settings_read(data: Mapping[str, Any] | None, *, default_plan_at: time) -> OrganisationSettings:
    """What is stored, with the product's defaults where nothing (or something unreadable) is."""
    data = data or {}
    dunning = data.get("dunning")
    dunning = dunning if isinstance(dunning, Mapping) else {}
    return OrganisationSettings(
        contact=ContactRules(
            plan_at=_time(dunning.get("plan_at"), default_plan_at),
            contact_start=_time(dunning.get("contact_start"), DEFAULT_CONTACT_START),
            contact_end=_time(dunning.get("contact_end"), DEFAULT_CONTACT_END),
            cap_per_day=_int(dunning.get("cap_per_day"), DEFAULT_CAP_PER_DAY),
            cap_per_week=_int(dunning.get("cap_per_week"), DEFAULT_CAP_PER_WEEK),
        ),
        holidays_zone=str(data.get("holidays_zone") or ""),
        phone=str(data.get("phone") or ""),
        signature=str(data.get("signature") or ""),
        sender_email=str(data.get("sender_email") or ""),
        law=_law(data.get("law")),
    )


def settings_write(data: Mapping[str, Any] | None, typed: OrganisationSettings) -> dict[str, Any]:
    """A copy of `data` carrying `typed`; keys this module does not know are kept as they are."""
    result = dict(data or {})
    dunning = result.get("dunning")
    dunning = dict(dunning) if isinstance(dunning, Mapping) else {}
    rules = typed.contact
    dunning.update(
        plan_at=rules.plan_at.strftime("%H:%M"),
        contact_start=rules.contact_start.strftime("%H:%M"),
        contact_end=rules.contact_end.strftime("%H:%M"),
        cap_per_day=rules.cap_per_day,
        cap_per_week=rules.cap_per_week,
    )
    result["dunning"] = dunning
    for key in ("holidays_zone", "phone", "signature", "sender_email"):
        value = getattr(typed, key)
        if value:
            result[key] = value
        else:
            result.pop(key, None)
    law = result.get("law")
    # An organisation that never chose keeps its JSON as it was: the defaults need no key.
    if isinstance(law, Mapping) or typed.law != LawSettings():
        law = dict(law) if isinstance(law, Mapping) else {}
        rate = typed.law.contractual_rate
        law.update(
            interest_first=typed.law.interest_first,
            contractual_rate=None if rate is None else str(rate),
            divisor=typed.law.divisor,
        )
        result["law"] = law
    return result


def contact_rules_problems(rules: ContactRules) -> dict[str, str]:
    """Field name → problem code (`cap_range`, `week_range`, `hours_order`); empty when valid. The
    caller words them in the user's language."""
    problems: dict[str, str] = {}
    if not DEFAULT_CAP_PER_DAY <= rules.cap_per_day <= MAX_CAP_PER_DAY:
        problems["cap_per_day"] = "cap_range"
    if not rules.cap_per_day <= rules.cap_per_week <= MAX_CAP_PER_WEEK:
        problems["cap_per_week"] = "week_range"
    if rules.contact_start >= rules.contact_end:
        problems["contact_end"] = "hours_order"
    return problems


def law_settings_problems(law: LawSettings) -> dict[str, str]:
    """Field name → problem code (`rate_range`, `divisor`); empty when valid."""
    problems: dict[str, str] = {}
    if law.contractual_rate is not None and not rate_is_valid(law.contractual_rate):
        problems["contractual_rate"] = "rate_range"
    if law.divisor not in DIVISORS:
        problems["divisor"] = "divisor"
    return problems


def zone_is_well_formed(zone: str) -> bool:
    return zone == "" or bool(_ZONE.fullmatch(zone))
