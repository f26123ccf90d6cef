"""Holds: a person takes one invoice out of the reminders, with a reason, until a date (dunning.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from recouvre.audit.domain.services import audit_record
from recouvre.ledger.domain.services import LedgerError
from recouvre.ledger.models import Hold, Invoice
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind


def hold_place(
    *, organisation: Any, invoice: Invoice, reason: str, starts_on: date, ends_on: date, actor: Any
) -> Hold:
    if not reason.strip():
        raise LedgerError("a hold needs a reason")
    if ends_on < starts_on:
        raise LedgerError(f"the hold ends ({ends_on}) before it starts ({starts_on})")
    if invoice.is_credit_note:
        raise LedgerError(f"{invoice.number} is a credit note")
    with transaction.atomic():
        hold = Hold.objects.create(
            organisation=organisation,
            invoice=invoice,
            reason=reason.strip()[:300],
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor,
        )
        event_record(
            organisation=organisation,
            debtor_id=invoice.debtor_id,
            invoice_id=invoice.id,
            kind=EventKind.NOTE,
            actor=actor,
            summary=f"{invoice.number} suspendue des relances jusqu'au {ends_on:%d/%m/%Y} : {hold.reason}",
            data={
                "hold_id": hold.id,
                "invoice": invoice.number,
                "until": ends_on.isoformat(),
                "reason": hold.reason,
            },
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="create",
            object_type="hold",
            object_id=hold.pk,
            debtor_id=invoice.debtor_id,
            changes={"invoice": invoice.number, "until": ends_on.isoformat()},
        )
    return hold


def hold_release(*, organisation: Any, hold: Hold, on: date, actor: Any) -> Hold:
    with transaction.atomic():
        hold.released_on = on
        hold.save(update_fields=["released_on"])
        event_record(
            organisation=organisation,
            debtor_id=hold.invoice.debtor_id,
            invoice_id=hold.invoice_id,
            kind=EventKind.NOTE,
            actor=actor,
            summary=f"{hold.invoice.number} remise dans les relances",
            data={"hold_id": hold.id, "released_on": on.isoformat()},
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="update",
            object_type="hold",
            object_id=hold.pk,
            debtor_id=hold.invoice.debtor_id,
            changes={"released_on": on.isoformat()},
        )
    return hold
