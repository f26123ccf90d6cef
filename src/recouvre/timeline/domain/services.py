"""Recording events. Callers are the services of other apps, inside their own transaction, so an
event exists exactly when the change it describes does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from recouvre.common.bulk import insert_rows
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


# The columns of a row given to `events_insert`, in order.
EVENT_COLUMNS = (
    "organisation_id",
    "debtor_id",
    "invoice_id",
    "kind",
    "occurred_at",
    "actor_id",
    "summary",
    "data",
)


def events_insert(rows: Iterable[tuple[Any, ...]]) -> None:
    """For imports: many new events in one statement (rows as EVENT_COLUMNS, `occurred_at` through
    common.bulk.db_datetime and `data` through db_json). New rows only, so append-only holds."""
    insert_rows(Event._meta.db_table, EVENT_COLUMNS, rows)
