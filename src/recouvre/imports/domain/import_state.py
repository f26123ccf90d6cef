"""What one import run knows across its chunks: who, when, the counters, and the few things kept
for the end of the file (credit notes waiting for their invoice, per-debtor summaries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from recouvre.ledger.enums import Origin
from recouvre.timeline.models import Event

MAX_NUMBERS_IN_SUMMARY = 10


@dataclass
class DebtorSummary:
    created: list[str] = field(default_factory=list)
    created_count: int = 0
    updated_count: int = 0
    paid_by_import: Decimal = Decimal("0.00")


@dataclass
class PendingPayment:
    """A difference between the product's open amount and the file's, recorded as a payment."""

    line: int
    number: str
    debtor_id: int
    amount: Decimal
    on: date
    estimated: bool
    # An invoice that existed before this line: its open amount is refreshed after the allocation.
    # A new one was inserted already as it stands after it.
    existing: bool = False


@dataclass
class PendingCreditNote:
    line: int
    number: str
    applies_to: str


@dataclass
class Counters:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportRun:
    organisation: Any
    batch: Any
    actor: Any
    today: date
    origin: str = Origin.IMPORT
    now: datetime = field(default_factory=timezone.now)
    counters: Counters = field(default_factory=lambda: Counters())
    summaries: dict[int, DebtorSummary] = field(default_factory=dict)
    pending_credit_notes: list[PendingCreditNote] = field(default_factory=list)
    payments: list[PendingPayment] = field(default_factory=list)

    def summary(self, debtor_id: int) -> DebtorSummary:
        return self.summaries.setdefault(debtor_id, DebtorSummary())

    def event(
        self, debtor_id: int, kind: str, summary: str, data: dict[str, Any], invoice_id: int | None = None
    ) -> Event:
        """An event for bulk insertion, stamped with this import."""
        return Event(
            organisation=self.organisation,
            debtor_id=debtor_id,
            invoice_id=invoice_id,
            kind=kind,
            actor=self.actor,
            summary=summary[:500],
            data={"import_batch": self.batch.pk, **data},
            occurred_at=self.now,
        )
