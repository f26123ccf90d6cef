"""Every debtor's payer profile, stored in the portfolio's read model (`ledger.DebtorBalance`) so that
the portfolio can filter on it: computing it per request would read the payment history of every
debtor. Written once a day (the worker's clock, after planning; or the first reader of the day)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from recouvre.dunning.domain.profile import HISTORY, MIN_HISTORY, payer_profile
from recouvre.ledger.domain.balances import debtor_balances_current
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import DebtorBalance, DebtorBalanceState, Invoice

# Too little history: shown as such rather than as a "standard" payer.
UNKNOWN = ""
# The planner looks this far back too (dunning/domain/facts.py).
LOOK_BACK = timedelta(days=3 * 365)
_CHUNK = 2_000


def payer_profiles(today: date) -> dict[int, str]:
    """debtor id → profile, for the debtors with at least MIN_HISTORY settled invoices; streamed newest
    first so that only the last HISTORY invoices of each debtor are kept in memory."""
    recent: dict[int, list[tuple[date, date]]] = defaultdict(list)
    rows = (
        Invoice.objects.filter(
            document_type=DocumentType.INVOICE,
            status=InvoiceStatus.PAID,
            paid_date__isnull=False,
            paid_date__lte=today,
            due_date__gte=today - LOOK_BACK,
        )
        .order_by("debtor_id", "-due_date", "-paid_date")
        .values_list("debtor_id", "due_date", "paid_date")
    )
    for debtor_id, due, paid in rows.iterator(chunk_size=20_000):
        kept = recent[debtor_id]
        if len(kept) < HISTORY:
            kept.append((due, paid))
    return {
        debtor_id: payer_profile(pairs, today)
        for debtor_id, pairs in recent.items()
        if len(pairs) >= MIN_HISTORY
    }


def payer_profiles_store(*, organisation: Any, today: date) -> int:
    """Writes today's profiles into the read model (built first if needed). Returns how many debtors
    have a profile."""
    debtor_balances_current(organisation=organisation, today=today)
    profiles = payer_profiles(today)
    by_profile: dict[str, list[int]] = defaultdict(list)
    for debtor_id, profile in profiles.items():
        by_profile[profile].append(debtor_id)
    with transaction.atomic():
        DebtorBalance.objects.filter(organisation=organisation).exclude(payer_profile=UNKNOWN).update(
            payer_profile=UNKNOWN
        )
        for profile, ids in by_profile.items():
            for start in range(0, len(ids), _CHUNK):
                DebtorBalance.objects.filter(debtor_id__in=ids[start : start + _CHUNK]).update(
                    payer_profile=profile
                )
        DebtorBalanceState.objects.filter(organisation=organisation).update(profiles_as_of=today)
    return len(profiles)


def payer_profiles_current(*, organisation: Any, today: date) -> None:
    """Before a read that filters on the profile: today's profiles, written now if the morning's clock
    has not done it."""
    state = DebtorBalanceState.objects.filter(organisation=organisation).only("profiles_as_of").first()
    if state is None or state.profiles_as_of != today:
        payer_profiles_store(organisation=organisation, today=today)
