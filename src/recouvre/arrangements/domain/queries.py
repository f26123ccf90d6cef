"""Reads about promises shared by the back office's pages. Run inside an organisation scope."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, QuerySet

from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise

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
