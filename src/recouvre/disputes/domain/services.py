from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from recouvre.audit.domain.context import current_channel
from recouvre.audit.domain.services import audit_record
from recouvre.disputes.enums import DisputeOutcome, DisputeReason, DisputeSource, DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.kernel.money import format_amount
from recouvre.ledger.domain.services import credit_note_allocate
from recouvre.ledger.enums import DocumentType, InvoiceStatus, Origin
from recouvre.ledger.models import Invoice
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind


class DisputeError(ValueError):
    pass


# Where a dispute came from when its caller does not say: the interface it came through.
SOURCE_OF_CHANNEL = {"web": DisputeSource.BACK_OFFICE, "api": DisputeSource.API, "cli": DisputeSource.CLI}


def dispute_open(
    *,
    organisation: Any,
    invoice: Invoice,
    reason: str,
    on: date,
    actor: Any,
    comment: str = "",
    source: str | None = None,
) -> Dispute:
    """Opens a dispute on an invoice; refused when one is already open (one at a time per invoice).
    `source` (DisputeSource) defaults to the interface the change comes through (audit channel)."""
    if reason not in DisputeReason.values:
        raise DisputeError(f"{reason!r} is not a dispute reason ({', '.join(DisputeReason.values)})")
    if source is None:
        source = SOURCE_OF_CHANNEL.get(current_channel(), DisputeSource.BACK_OFFICE)
    elif source not in DisputeSource.values:
        raise DisputeError(f"{source!r} is not a dispute source ({', '.join(DisputeSource.values)})")
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
            source=source,
        )
        event_record(
            organisation=organisation,
            debtor_id=invoice.debtor_id,
            invoice_id=invoice.id,
            kind=EventKind.DISPUTE_OPENED,
            actor=actor,
            summary=f"Litige ouvert sur {invoice.number} ({DisputeReason(reason).label})",
            data={
                "dispute_id": dispute.id,
                "invoice": invoice.number,
                "reason": reason,
                "comment": comment,
                "source": source,
                "answer_due": dispute.answer_due.isoformat() if dispute.answer_due else None,
            },
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="create",
            object_type="dispute",
            object_id=dispute.pk,
            debtor_id=invoice.debtor_id,
            changes={"invoice": invoice.number, "reason": reason, "source": source},
        )
    return dispute


def _credit_note_number(invoice: Invoice) -> str:
    base = f"AV-{invoice.number}"
    taken = set(Invoice.objects.filter(number__startswith=base).values_list("number", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def dispute_close(
    *,
    organisation: Any,
    invoice: Invoice,
    outcome: str,
    on: date,
    actor: Any,
    amount: Decimal | None = None,
) -> Dispute:
    """Closes the invoice's open dispute (cli.md): `upheld` and `withdrawn` put the invoice back in
    the reminders; `credit_note` issues a credit note of `amount` allocated to it; `invoice_cancelled`
    cancels what is left of it by a credit note."""
    if outcome not in DisputeOutcome.values:
        raise DisputeError(f"{outcome!r} is not a dispute outcome ({', '.join(DisputeOutcome.values)})")
    if outcome == DisputeOutcome.CREDIT_NOTE:
        if amount is None:
            raise DisputeError("--amount is required with the outcome credit_note")
        if amount <= 0 or amount > invoice.open_amount:
            raise DisputeError(
                f"the credit note amount must be between 0.01 and the open amount of {invoice.number}"
                f" ({format_amount(invoice.open_amount)}); got {format_amount(amount)}"
            )
    elif amount is not None:
        raise DisputeError(f"--amount only goes with the outcome credit_note (not {outcome})")
    with transaction.atomic():
        dispute = (
            Dispute.objects.select_for_update().filter(invoice=invoice, status=DisputeStatus.OPEN).first()
        )
        if dispute is None:
            raise DisputeError(f"invoice {invoice.number} has no open dispute")
        if on < dispute.opened_on:
            raise DisputeError(f"--date {on} is before the dispute was opened ({dispute.opened_on})")
        credit = None
        if outcome in (DisputeOutcome.CREDIT_NOTE, DisputeOutcome.INVOICE_CANCELLED):
            credit_amount = amount if amount is not None else invoice.open_amount
            if credit_amount > 0:
                credit = Invoice.objects.create(
                    organisation=organisation,
                    debtor_id=invoice.debtor_id,
                    number=_credit_note_number(invoice),
                    document_type=DocumentType.CREDIT_NOTE,
                    issue_date=on,
                    due_date=on,
                    amount=credit_amount,
                    open_amount=credit_amount,
                    currency=invoice.currency,
                    applies_to=invoice,
                    origin=Origin.MANUAL,
                )
                credit_note_allocate(
                    organisation=organisation, credit_note=credit, invoice=invoice, on=on, actor=actor
                )
            if outcome == DisputeOutcome.INVOICE_CANCELLED:
                Invoice.objects.filter(pk=invoice.pk).update(
                    status=InvoiceStatus.CANCELLED, updated_at=timezone.now()
                )
        dispute.status = DisputeStatus.CLOSED
        dispute.outcome = outcome
        dispute.closed_on = on
        dispute.credit_note = credit
        # The debtor is owed an answer (workflow.dispute_outcome_notice); the outbox sends it.
        dispute.debtor_to_tell = True
        dispute.save(update_fields=["status", "outcome", "closed_on", "credit_note", "debtor_to_tell"])
        event_record(
            organisation=organisation,
            debtor_id=invoice.debtor_id,
            invoice_id=invoice.id,
            kind=EventKind.DISPUTE_CLOSED,
            actor=actor,
            summary=f"Litige clos sur {invoice.number} : {DisputeOutcome(outcome).label}"
            + (f" (avoir {credit.number}, {format_amount(credit.amount)})" if credit else ""),
            data={
                "dispute_id": dispute.id,
                "invoice": invoice.number,
                "outcome": outcome,
                "credit_note": credit.number if credit else None,
                "amount": format_amount(credit.amount) if credit else None,
            },
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="update",
            object_type="dispute",
            object_id=dispute.pk,
            debtor_id=invoice.debtor_id,
            changes={"status": "closed", "outcome": outcome},
        )
    return dispute
