"""The end of an import file: credit notes allocated once every invoice of the file is in, open
invoices absent from a `--complete` file settled, and one timeline summary per debtor."""

from __future__ import annotations

from django.db.models.expressions import RawSQL

from recouvre.imports.domain.csv_rows import RowError
from recouvre.imports.domain.import_state import ImportRun
from recouvre.kernel.money import format_money
from recouvre.ledger.domain.services import credit_note_allocate, payment_record
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Allocation, Invoice, Payment
from recouvre.timeline.domain.services import events_insert
from recouvre.timeline.enums import EventKind


def finish_import(run: ImportRun, *, complete: bool, errors: list[RowError]) -> list[str]:
    """Credit notes are allocated once every invoice of the file is in; `complete` settles the
    open invoices the file did not list. Returns the numbers settled that way."""
    _allocate_credit_notes(run, errors)
    settled = _settle_absent(run) if complete else []
    _summary_events(run)
    run.seen.drop()
    return settled


def _allocate_credit_notes(run: ImportRun, errors: list[RowError]) -> None:

    for pending in run.pending_credit_notes:
        credit_note = Invoice.objects.filter(number=pending.number).first()
        invoice = Invoice.objects.filter(
            number=pending.applies_to, document_type=DocumentType.INVOICE
        ).first()
        if credit_note is None:
            continue  # the line itself was refused
        if invoice is None:
            errors.append(
                RowError(
                    pending.line,
                    "applies_to",
                    f"no invoice {pending.applies_to} in recouvre nor in this file",
                )
            )
            continue
        if invoice.debtor_id != credit_note.debtor_id:
            errors.append(
                RowError(
                    pending.line, "applies_to", f"invoice {pending.applies_to} belongs to another debtor"
                )
            )
            continue
        if credit_note.open_amount <= 0:
            continue
        # When the file states the invoice's open amount net of this credit note, the import has
        # just recorded that difference as a payment: it was the credit note, not a payment.
        needed = credit_note.open_amount
        for allocation in Allocation.objects.filter(
            invoice=invoice, payment__import_batch=run.batch, payment__source="import"
        ).select_related("payment"):
            take = min(allocation.amount, needed)
            if take <= 0:
                break
            needed -= take
            payment = allocation.payment
            assert payment is not None
            if take == allocation.amount:
                allocation.delete()
                if payment.amount == take:
                    payment.delete()
                else:
                    Payment.objects.filter(pk=payment.pk).update(amount=payment.amount - take)
            else:
                Allocation.objects.filter(pk=allocation.pk).update(amount=allocation.amount - take)
                Payment.objects.filter(pk=payment.pk).update(amount=payment.amount - take)
            run.summary(invoice.debtor_id).paid_by_import -= take
            invoice.open_amount += take
            Invoice.objects.filter(pk=invoice.pk).update(
                open_amount=invoice.open_amount, status=InvoiceStatus.OPEN, paid_date=None, updated_at=run.now
            )
        credit_note_allocate(
            organisation=run.organisation,
            credit_note=credit_note,
            invoice=invoice,
            on=credit_note.issue_date,
            actor=run.actor,
        )


def _settle_absent(run: ImportRun) -> list[str]:

    settled: list[str] = []
    absent = (
        Invoice.objects.filter(
            document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0
        )
        .exclude(number__in=RawSQL(run.seen.subquery(), []))
        .order_by("id")
    )
    # Ids first: SQLite cannot write the table it is still reading through a cursor.
    ids = list(absent.values_list("id", flat=True))
    for start in range(0, len(ids), 1000):
        for invoice in Invoice.objects.filter(id__in=ids[start : start + 1000]).select_related("debtor"):
            _settle(run, invoice)
            settled.append(invoice.number)
    return settled


def _settle(run: ImportRun, invoice: Invoice) -> None:
    payment_record(
        organisation=run.organisation,
        debtor=invoice.debtor,
        invoice=invoice,
        amount=invoice.open_amount,
        on=run.today,
        actor=run.actor,
        reference=f"Soldée par l'import complet {run.batch.file_name}",
        source="import",
        import_batch=run.batch,
    )


def _summary_events(run: ImportRun) -> None:
    events = []
    for debtor_id, summary in run.summaries.items():
        parts = []
        if summary.created_count:
            shown = ", ".join(summary.created)
            more = summary.created_count - len(summary.created)
            parts.append(
                f"{summary.created_count} pièce(s) ajoutée(s) ({shown}"
                + (f" et {more} autres)" if more else ")")
            )
        if summary.updated_count:
            parts.append(f"{summary.updated_count} modifiée(s)")
        if summary.paid_by_import > 0:
            parts.append(f"{format_money(summary.paid_by_import)} de règlements constatés")
        if not parts:
            continue
        events.append(
            run.event(
                debtor_id,
                EventKind.INVOICES_IMPORTED,
                f"Import {run.batch.file_name} : " + ", ".join(parts),
                {
                    "file": run.batch.file_name,
                    "created": summary.created,
                    "created_count": summary.created_count,
                    "updated_count": summary.updated_count,
                    "paid_by_import": f"{summary.paid_by_import:.2f}",
                },
            )
        )
    events_insert(events)
