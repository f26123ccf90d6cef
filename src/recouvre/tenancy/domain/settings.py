"""`Organisation.settings`, typed. The JSON keeps the keys other apps already read (dunning's
`dunning.plan_at`, `dunning.contact_start`, `dunning.contact_end`, `dunning.cap_per_day`,
`dunning.cap_per_week`, `holidays_zone`; compose's `phone`, `signature`; messaging's `email_url`,
`sms`): this module reads and writes exactly those, and leaves every other key alone.

Pure: no Django, no database; the caller passes the default planning time (a project setting)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

# dunning.md "Contact rules (defaults, editable per organisation)".
DEFAULT_CONTACT_START = time(9, 0)
DEFAULT_CONTACT_END = time(19, 0)
DEFAULT_CAP_PER_DAY = 1
DEFAULT_CAP_PER_WEEK = 2
# Beyond these a debtor would be flooded; a rolling week cannot hold more than 7 days' worth either.
MAX_CAP_PER_DAY = 3
MAX_CAP_PER_WEEK = 7

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
class OrganisationSettings:
    contact: ContactRules
    holidays_zone: str = ""  # empty: from the organisation's address
    phone: str = ""
    signature: str = ""
    sender_email: str = ""  # empty: the project's sender address


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


def zone_is_well_formed(zone: str) -> bool:
    return zone == "" or bool(_ZONE.fullmatch(zone))
