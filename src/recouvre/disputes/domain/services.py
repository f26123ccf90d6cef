from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from recouvre.audit.domain.services import audit_record
from recouvre.disputes.enums import DisputeReason, DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.ledger.models import Invoice
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind


class DisputeError(ValueError):
    pass


def dispute_open(
    *, organisation: Any, invoice: Invoice, reason: str, on: date, actor: Any, comment: str = ""
) -> Dispute:
    """Opens a dispute on an invoice; refused when one is already open (one at a time per invoice)."""
    if reason not in DisputeReason.values:
        raise DisputeError(f"{reason!r} is not a dispute reason ({', '.join(DisputeReason.values)})")
    if invoice.is_credit_note:
        raise DisputeError(f"{invoice.number} is a credit note: only invoices can be disputed")
    with transaction.atomic():
        if Dispute.objects.filter(invoice=invoice, status=DisputeStatus.OPEN).exists():
            raise DisputeError(f"invoice {invoice.number} already has an open dispute")
        dispute = Dispute.objects.create(
            organisation=organisation,
            invoice=invoice,
            debtor_id=invoice.debtor_id,
            reason=reason,
            comment=comment,
            opened_on=on,
            opened_by=actor,
        )
        event_record(
            organisation=organisation,
            debtor_id=invoice.debtor_id,
            invoice_id=invoice.id,
            kind=EventKind.DISPUTE_OPENED,
            actor=actor,
            summary=f"Litige ouvert sur {invoice.number} ({DisputeReason(reason).label})",
            data={"dispute_id": dispute.id, "invoice": invoice.number, "reason": reason, "comment": comment},
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="create",
            object_type="dispute",
            object_id=dispute.pk,
            debtor_id=invoice.debtor_id,
            changes={"invoice": invoice.number, "reason": reason},
        )
    return dispute
