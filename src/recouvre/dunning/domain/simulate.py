"""`recouvre simulate`: the daily cycle run day after day over a range on the current portfolio,
inside a transaction that is rolled back. Nothing is sent: every check of a real dispatch runs, and
a message that would leave is counted instead. No payment, dispute or promise happens in between;
formal notices are taken as approved the day they are planned (say so to the reader)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from recouvre.dunning.domain.cycle import cycle_plan
from recouvre.dunning.domain.dispatch import dispatch_pass
from recouvre.dunning.domain.runner import moment_on
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.kernel.money import format_amount

# Estimated unit costs in EUR (La Poste 2026 business rates for a 20 g letter and a registered letter
# with acknowledgement, a typical SMS price); an organisation sets its own in settings["postage"].
DEFAULT_POSTAGE = {
    "email": "0.00",
    "sms": "0.05",
    "letter": "1.52",
    "registered_letter": "7.65",
    "call": "0.00",
    "task": "0.00",
}


class _Rollback(Exception):
    pass


def simulate_range(*, organisation: Any, start: date, end: date) -> dict[str, Any]:
    prices = {
        k: Decimal(v)
        for k, v in {**DEFAULT_POSTAGE, **(organisation.settings or {}).get("postage", {})}.items()
    }
    days: list[dict[str, Any]] = []
    totals: Counter[str] = Counter()
    postage = Decimal("0")
    try:
        with transaction.atomic():
            day = start
            while day <= end:
                now = moment_on(day, organisation, timezone.now())
                plan = cycle_plan(organisation=organisation, today=day, now=now)
                # A manager is assumed to approve formal notices the day they are planned.
                Action.objects.filter(status=ActionStatus.AWAITING_APPROVAL).update(
                    status=ActionStatus.PLANNED, approved_at=now
                )
                sent = dispatch_pass(organisation=organisation, today=day, now=now, dry_run=True)
                counts: Counter[str] = Counter(
                    Action.objects.filter(dispatched_at=now, status=ActionStatus.DISPATCHED).values_list(
                        "channel", flat=True
                    )
                )
                for channel in Action.objects.filter(
                    scheduled_for=day, status=ActionStatus.PLANNED, channel__in=("call", "task")
                ).values_list("channel", flat=True):
                    counts[channel] += 1
                cost = sum(
                    (prices.get(channel, Decimal("0")) * n for channel, n in counts.items()), Decimal("0")
                )
                postage += cost
                totals.update(counts)
                days.append(
                    {
                        "date": day.isoformat(),
                        "sent": dict(sorted(counts.items())),
                        "postage": format_amount(cost),
                        "cases_opened": plan.cases_opened,
                        "cases_closed": plan.cases_closed,
                        "cancelled": plan.cancelled + sent.cancelled,
                    }
                )
                day += timedelta(days=1)
            raise _Rollback
    except _Rollback:
        pass
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "days": days,
        "by_channel": dict(sorted(totals.items())),
        "postage": format_amount(postage),
        "assumptions": [
            "no payment, dispute or promise between the days",
            "formal notices approved the day they are planned",
        ],
    }
