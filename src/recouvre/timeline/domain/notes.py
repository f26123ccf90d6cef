"""What a person writes down about a debtor: a note, or a call made outside any planned call task.

Both are timeline events and nothing else. A form sends a one-time token with them so that a second
click (or a resubmitted page) records the note once: the debtor row is locked while the token is
looked for among the debtor's recent events.

No audit entry: the timeline sits beside the audit log (neither imports the other), and an event is
itself append-only, with its author and time; it changes no data that an audit entry would track."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind
from recouvre.timeline.models import Event

NOTE_MAX = 2000
# A resubmitted form comes back within minutes; looking further back would read years of history.
TOKEN_WINDOW = timedelta(days=1)


class NoteError(ValueError):
    pass


def event_with_token(debtor_id: int, kind: str, token: str) -> Event | None:
    if not token:
        return None
    since = timezone.now() - TOKEN_WINDOW
    return Event.objects.filter(
        debtor_id=debtor_id, kind=kind, occurred_at__gte=since, data__form_token=token
    ).first()


def _lock(debtor: Any) -> None:
    # Serialises two submissions of the same form: the second sees the first one's event. The model
    # comes with the instance: the timeline sits below the ledger and does not import it.
    type(debtor)._default_manager.select_for_update().filter(pk=debtor.pk).values_list(
        "pk", flat=True
    ).first()


def note_add(*, organisation: Any, debtor: Any, text: str, actor: Any, token: str = "") -> Event:
    """A note in the debtor's timeline. The same `token` twice returns the first note."""
    text = text.strip()
    if not text:
        raise NoteError("a note needs a text")
    if len(text) > NOTE_MAX:
        raise NoteError(f"a note is at most {NOTE_MAX} characters (got {len(text)})")
    with transaction.atomic():
        _lock(debtor)
        existing = event_with_token(debtor.pk, EventKind.NOTE, token)
        if existing is not None:
            return existing
        event = event_record(
            organisation=organisation,
            debtor_id=debtor.pk,
            kind=EventKind.NOTE,
            actor=actor,
            summary=text,
            data={"text": text, "form_token": token},
        )
    return event


def call_record(
    *,
    organisation: Any,
    debtor: Any,
    outcome: str,
    outcome_label: str,
    note: str,
    actor: Any,
    phone: str = "",
    token: str = "",
) -> Event:
    """A call with its outcome when no call task was open (the debtor rang, or the collector called on
    their own). `outcome_label` is the French wording kept in the summary; `data` keeps the code."""
    note = note.strip()[:NOTE_MAX]
    with transaction.atomic():
        _lock(debtor)
        existing = event_with_token(debtor.pk, EventKind.CALL_RECORDED, token)
        if existing is not None:
            return existing
        summary = f"Appel : {outcome_label}" + (f" — {note}" if note else "")
        event = event_record(
            organisation=organisation,
            debtor_id=debtor.pk,
            kind=EventKind.CALL_RECORDED,
            actor=actor,
            summary=summary,
            data={"outcome": outcome, "note": note, "phone": phone, "form_token": token},
        )
    return event
