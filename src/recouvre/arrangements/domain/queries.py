"""Reads about promises shared by the back office's pages. Run inside an organisation scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.ledger.models import Debtor

# A broken promise needs a person for this long, unless a new promise follows it.
BROKEN_PROMISE_DAYS = 30


def promises_broken_recently(today: date) -> QuerySet[Promise]:
    """Promises found broken in the last 30 days (as of `today`) that no newer promise of the same
    debtor followed: the Today page counts their debtors, the portfolio's filter lists them."""
    newer = Promise.objects.filter(debtor=OuterRef("debtor"), pk__gt=OuterRef("pk"))
    return Promise.objects.filter(
        status=PromiseStatus.BROKEN,
        resolved_on__gte=today - timedelta(days=BROKEN_PROMISE_DAYS),
        resolved_on__lte=today,
    ).exclude(Exists(newer))


def promise_kept_rate(debtor: Debtor) -> tuple[int, int, Decimal | None]:
    """(kept, broken, kept share from 0 to 1 to two places) over the debtor's resolved promises; the
    share is None when none was resolved yet. Open and cancelled promises tell nothing either way."""
    counts = Promise.objects.filter(debtor=debtor).aggregate(
        kept=Count("pk", filter=Q(status=PromiseStatus.KEPT)),
        broken=Count("pk", filter=Q(status=PromiseStatus.BROKEN)),
    )
    kept, broken = int(counts["kept"]), int(counts["broken"])
    if not kept + broken:
        return kept, broken, None
    return kept, broken, (Decimal(kept) / Decimal(kept + broken)).quantize(Decimal("0.01"))
