"""Recording events. Callers are the services of other apps, inside their own transaction, so an
event exists exactly when the change it describes does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from recouvre.timeline.models import Event


def event_record(
    *,
    organisation: Any,
    debtor_id: int,
    kind: str,
    actor: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
    invoice_id: int | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    event = Event(
        organisation=organisation,
        debtor_id=debtor_id,
        invoice_id=invoice_id,
        kind=kind,
        actor=actor,
        summary=summary[:500],
        data=data or {},
        occurred_at=occurred_at or timezone.now(),
    )
    event.save()
    return event


def events_record_many(events: Iterable[Event], batch_size: int = 2000) -> None:
    """For imports: many events in few statements. The rows are new, so append-only holds."""
    Event.objects.bulk_create(events, batch_size=batch_size)
