"""`Organisation.settings`, typed. The JSON keeps the keys other apps already read (dunning's
`dunning.plan_at`, `dunning.contact_start`, `dunning.contact_end`, `dunning.cap_per_day`,
`dunning.cap_per_week`, `holidays_zone`; compose's `phone`, `signature`; messaging's `email_url`,
`sms`; the penalties' `law.interest_first`, `law.contractual_rate`, `law.divisor`; the payment
plans' `plans.max_instalments`, `plans.min_instalment`, `plans.max_first_delay_days`,
`plans.max_duration_months`, `plans.grace_days`): this module reads and writes exactly those, and
leaves every other key alone.

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


# Payment plans (issue 6): a proposal within these is accepted without a manager.
DEFAULT_MAX_INSTALMENTS = 6
DEFAULT_MIN_INSTALMENT = Decimal("50.00")
DEFAULT_MAX_FIRST_DELAY_DAYS = 30
# Never binding with the other defaults (6 monthly instalments end within 7 months); it keeps a
# long plan in front of a manager when the number of instalments is raised.
DEFAULT_MAX_DURATION_MONTHS = 12
DEFAULT_GRACE_DAYS = 5
# Beyond these a plan is no longer a plan but a write-off in slow motion, or a typing mistake.
MAX_INSTALMENTS_LIMIT = 60
MAX_FIRST_DELAY_LIMIT = 365
MAX_DURATION_LIMIT = 60
MAX_GRACE_LIMIT = 30
MAX_MIN_INSTALMENT = Decimal("1000000")


@dataclass(frozen=True)
class PlanRules:
    """What a payment plan may be without a manager's approval, and how late an instalment may be
    paid before the plan is broken."""

    max_instalments: int = DEFAULT_MAX_INSTALMENTS
    min_instalment: Decimal = DEFAULT_MIN_INSTALMENT
    max_first_delay_days: int = DEFAULT_MAX_FIRST_DELAY_DAYS
    max_duration_months: int = DEFAULT_MAX_DURATION_MONTHS
    grace_days: int = DEFAULT_GRACE_DAYS


@dataclass(frozen=True)
class OrganisationSettings:
    contact: ContactRules
    holidays_zone: str = ""  # empty: from the organisation's address
    phone: str = ""
    signature: str = ""
    sender_email: str = ""  # empty: the project's sender address
    law: LawSettings = field(default_factory=LawSettings)
    plans: PlanRules = field(default_factory=PlanRules)


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


def _bounded(value: Any, default: int, low: int, high: int) -> int:
    number = _int(value, default)
    return number if low <= number <= high else default


def min_instalment_is_valid(amount: Decimal) -> bool:
    exponent = amount.as_tuple().exponent
    return (
        amount.is_finite()
        and isinstance(exponent, int)
        and exponent >= -2
        and Decimal(0) < amount <= MAX_MIN_INSTALMENT
    )


def _min_instalment(value: Any) -> Decimal:
    if value is None or isinstance(value, bool):
        return DEFAULT_MIN_INSTALMENT
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return DEFAULT_MIN_INSTALMENT
    return amount if min_instalment_is_valid(amount) else DEFAULT_MIN_INSTALMENT


def _plans(value: Any) -> PlanRules:
    plans = value if isinstance(value, Mapping) else {}
    return PlanRules(
        max_instalments=_bounded(
            plans.get("max_instalments"), DEFAULT_MAX_INSTALMENTS, 1, MAX_INSTALMENTS_LIMIT
        ),
        min_instalment=_min_instalment(plans.get("min_instalment")),
        max_first_delay_days=_bounded(
            plans.get("max_first_delay_days"), DEFAULT_MAX_FIRST_DELAY_DAYS, 0, MAX_FIRST_DELAY_LIMIT
        ),
        max_duration_months=_bounded(
            plans.get("max_duration_months"), DEFAULT_MAX_DURATION_MONTHS, 1, MAX_DURATION_LIMIT
        ),
        grace_days=_bounded(plans.get("grace_days"), DEFAULT_GRACE_DAYS, 0, MAX_GRACE_LIMIT),
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
        plans=_plans(data.get("plans")),
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
    plans = result.get("plans")
    if isinstance(plans, Mapping) or typed.plans != PlanRules():
        plans = dict(plans) if isinstance(plans, Mapping) else {}
        plan_rules = typed.plans
        plans.update(
            max_instalments=plan_rules.max_instalments,
            min_instalment=str(plan_rules.min_instalment),
            max_first_delay_days=plan_rules.max_first_delay_days,
            max_duration_months=plan_rules.max_duration_months,
            grace_days=plan_rules.grace_days,
        )
        result["plans"] = plans
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


def plan_rules_problems(rules: PlanRules) -> dict[str, str]:
    """Field name → problem code (`instalments_range`, `amount_range`, `delay_range`,
    `duration_range`, `grace_range`); empty when valid."""
    problems: dict[str, str] = {}
    if not 1 <= rules.max_instalments <= MAX_INSTALMENTS_LIMIT:
        problems["max_instalments"] = "instalments_range"
    if not min_instalment_is_valid(rules.min_instalment):
        problems["min_instalment"] = "amount_range"
    if not 0 <= rules.max_first_delay_days <= MAX_FIRST_DELAY_LIMIT:
        problems["max_first_delay_days"] = "delay_range"
    if not 1 <= rules.max_duration_months <= MAX_DURATION_LIMIT:
        problems["max_duration_months"] = "duration_range"
    if not 0 <= rules.grace_days <= MAX_GRACE_LIMIT:
        problems["grace_days"] = "grace_range"
    return problems


def zone_is_well_formed(zone: str) -> bool:
    return zone == "" or bool(_ZONE.fullmatch(zone))
