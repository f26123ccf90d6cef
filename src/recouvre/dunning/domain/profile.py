"""The payer profile of dunning.md, from the debtor's own history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from recouvre.dunning.domain.scenario import GOOD, LATE, STANDARD

HISTORY = 10
# A profile needs some history: one invoice paid on time does not make a good payer. Five settled
# invoices is the smallest sample where one late payment (of five) already breaks the 90 % rule.
MIN_HISTORY = 5


def payer_profile(settled: Iterable[tuple[date, date]], today: date) -> str:
    """`settled`: (due_date, paid_date) of the debtor's settled invoices. The last 10 by due date
    (settled on or before `today`) decide: good when ≥ 90 % were paid within 5 days of the due
    date, late when ≥ 50 % were paid more than 30 days late."""
    history = sorted((pair for pair in settled if pair[1] <= today), reverse=True)[:HISTORY]
    if len(history) < MIN_HISTORY:
        return STANDARD
    on_time = sum(1 for due, paid in history if (paid - due).days <= 5)
    very_late = sum(1 for due, paid in history if (paid - due).days > 30)
    if on_time * 10 >= 9 * len(history):
        return GOOD
    if very_late * 2 >= len(history):
        return LATE
    return STANDARD
