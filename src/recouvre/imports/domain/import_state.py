"""What one import run knows across its chunks: who, when, the counters, and the few things kept
for the end of the file (credit notes waiting for their invoice, per-debtor summaries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from recouvre.common.bulk import db_datetime, db_json
from recouvre.imports.domain.seen_numbers import SeenNumbers
from recouvre.ledger.enums import Origin

MAX_NUMBERS_IN_SUMMARY = 10


@dataclass(slots=True)
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

    def __post_init__(self) -> None:
        # Adapted once for the raw inserts of the whole run rather than once per row.
        self.db_now = db_datetime(self.now)
        self.seen = SeenNumbers()

    def event(
        self, debtor_id: int, kind: str, summary: str, data: dict[str, Any], invoice_id: int | None = None
    ) -> tuple[Any, ...]:
        """A timeline row for `events_insert`, stamped with this import."""
        return (
            self.organisation.pk,
            debtor_id,
            invoice_id,
            kind,
            self.db_now,
            self.actor.pk if self.actor else None,
            summary[:500],
            db_json({"import_batch": self.batch.pk, **data}),
        )
