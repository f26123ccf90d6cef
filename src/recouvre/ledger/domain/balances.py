"""Keeps the portfolio's read model (`DebtorBalance`) in step with the invoices.

`debtor_balances_current` is what a reader calls: a new day rebuilds the organisation's balances in
one set-based statement (overdue amounts move with the date), otherwise only the debtors whose
invoices or account were written since the last rebuild are recomputed. Ledger and import services
may also call `debtor_balances_refresh(debtor_ids=...)` inside their own transaction, which makes
the next read exact without waiting for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from recouvre.ledger.domain.ageing import AgedBalance
from recouvre.ledger.domain.queries import aged_balance
from recouvre.ledger.models import Debtor, Invoice
from recouvre.ledger.models.balance import DebtorBalance, DebtorBalanceState

# A write is seen by the next rebuild if its transaction commits within this margin of its
# `updated_at`: rows written that recently are recomputed again, which costs little.
COMMIT_MARGIN = timedelta(minutes=10)

_UPSERT = """
INSERT INTO ledger_debtorbalance
    (debtor_id, organisation_id, as_of, open_balance, overdue_balance, oldest_due)
SELECT d.id, d.organisation_id, %(day)s,
       COALESCE(SUM(i.open_amount), 0),
       COALESCE(SUM(CASE WHEN i.due_date < %(day)s THEN i.open_amount END), 0),
       MIN(CASE WHEN i.due_date < %(day)s THEN i.due_date END)
FROM ledger_debtor d
LEFT JOIN ledger_invoice i
  ON i.debtor_id = d.id AND i.document_type = 'invoice' AND i.issue_date <= %(day)s
     AND i.open_amount > 0
WHERE d.organisation_id = %(organisation)s {debtors}
GROUP BY d.id, d.organisation_id
ON CONFLICT (debtor_id) DO UPDATE SET
    as_of = excluded.as_of, open_balance = excluded.open_balance,
    overdue_balance = excluded.overdue_balance, oldest_due = excluded.oldest_due
"""


# Beyond this many debtors one statement for the whole organisation is cheaper than lists of ids
# (and a statement's parameters are limited: 65,535 on PostgreSQL).
WHOLE_ORGANISATION_FROM = 20_000
_IDS_PER_STATEMENT = 2_000


def debtor_balances_refresh(
    *, organisation: Any, today: date, debtor_ids: Iterable[int] | None = None
) -> None:
    """Recomputes the balances of `debtor_ids` (None: every debtor of the organisation) as of `today`."""
    params: dict[str, Any] = {"day": today, "organisation": organisation.pk}
    ids = None if debtor_ids is None else sorted(set(debtor_ids))
    if ids is not None and len(ids) >= WHOLE_ORGANISATION_FROM:
        ids = None
    with transaction.atomic(), connection.cursor() as cursor:
        if ids is None:
            cursor.execute(_UPSERT.format(debtors=""), params)
            return
        for start in range(0, len(ids), _IDS_PER_STATEMENT):
            chunk = ids[start : start + _IDS_PER_STATEMENT]
            values = params | {f"d{n}": pk for n, pk in enumerate(chunk)}
            clause = "AND d.id IN (" + ", ".join(f"%(d{n})s" for n in range(len(chunk))) + ")"
            cursor.execute(_UPSERT.format(debtors=clause), values)


def debtor_balances_touch(*, organisation: Any, today: date, debtor_ids: Iterable[int]) -> None:
    """After a service changed these debtors' invoices: their balances now, when the organisation's
    read model exists (the first read builds it whole otherwise, so there is nothing to keep)."""
    if DebtorBalanceState.objects.filter(organisation=organisation).exists():
        debtor_balances_refresh(organisation=organisation, today=today, debtor_ids=debtor_ids)


def _written_since(since: Any) -> set[int]:
    changed = set(
        Invoice.objects.filter(updated_at__gte=since).order_by().values_list("debtor_id", flat=True)
    )
    changed |= set(Debtor.objects.filter(created_at__gte=since).order_by().values_list("id", flat=True))
    return changed


@dataclass(frozen=True)
class BalancesSnapshot:
    """What the read model knows of the whole organisation, kept with it."""

    debtors: int
    aged: AgedBalance


def _snapshot(state: DebtorBalanceState, today: date) -> BalancesSnapshot:
    buckets = {key: Decimal(value) for key, value in state.aged.items()}
    return BalancesSnapshot(state.debtors, AgedBalance(today, buckets))


def debtor_balances_current(*, organisation: Any, today: date) -> BalancesSnapshot:
    """Brings the organisation's balances up to date for `today` before a read: two index lookups
    when nothing was written since the last rebuild."""
    now = timezone.now()
    state = DebtorBalanceState.objects.filter(organisation=organisation).first()
    if state is not None and state.as_of == today and not _written_since(state.refreshed_at):
        return _snapshot(state, today)
    with transaction.atomic():
        # One rebuild at a time per organisation: a second reader waits, then finds it done.
        state = DebtorBalanceState.objects.select_for_update().filter(organisation=organisation).first()
        if state is None or state.as_of != today:
            debtor_balances_refresh(organisation=organisation, today=today)
            state = state or DebtorBalanceState(organisation=organisation)
        else:
            # Rows written a little before the last rebuild but committed after it are caught here.
            changed = _written_since(state.refreshed_at - COMMIT_MARGIN)
            debtor_balances_refresh(organisation=organisation, today=today, debtor_ids=changed)
        aged = aged_balance(today)
        state.as_of, state.refreshed_at = today, now
        state.aged = {key: str(amount) for key, amount in aged.buckets.items()}
        state.debtors = DebtorBalance.objects.filter(organisation=organisation).count()
        state.save()
    return _snapshot(state, today)
