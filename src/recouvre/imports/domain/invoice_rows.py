"""Writing validated CSV lines into the ledger, one chunk at a time, inside the import's transaction.

Memory stays bounded whatever the file's size: a chunk holds a few thousand lines, and what must be
known across chunks is asked of the database (an invoice number already written by this import is
one whose `last_import` is this batch). Only per-debtor counters for the timeline summary and the
credit notes waiting for their invoice are kept for the whole file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from recouvre.common.bulk import insert_returning, insert_rows
from recouvre.disputes.domain.services import dispute_open
from recouvre.disputes.enums import DisputeReason, DisputeSource
from recouvre.imports.domain.csv_rows import InvoiceLine, RowError
from recouvre.imports.domain.debtor_rows import write_contacts, write_debtors
from recouvre.imports.domain.import_state import (
    MAX_NUMBERS_IN_SUMMARY,
    ImportRun,
    PendingCreditNote,
    PendingPayment,
)
from recouvre.ledger.domain.services import invoices_refresh_open_amount
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Allocation, Debtor, Invoice, Payment
from recouvre.timeline.domain.services import events_insert
from recouvre.timeline.enums import EventKind

# Invoice details a later file may change; each change is recorded in the invoice's history.
INVOICE_FIELDS = (
    "debtor_id",
    "document_type",
    "issue_date",
    "due_date",
    "amount",
    "amount_excl_tax",
    "currency",
    "po_number",
    "payment_terms",
    "delivery_date",
)
INSERT_COLUMNS = (
    "organisation_id",
    "debtor_id",
    "number",
    "document_type",
    "status",
    "issue_date",
    "due_date",
    "delivery_date",
    "amount",
    "amount_excl_tax",
    "currency",
    "open_amount",
    "paid_date",
    "po_number",
    "payment_terms",
    "origin",
    "source_disputed",
    "last_import_id",
    "created_at",
    "updated_at",
)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


PAYMENT_COLUMNS = (
    "organisation_id",
    "debtor_id",
    "amount",
    "currency",
    "date",
    "date_estimated",
    "reference",
    "source",
    "import_batch_id",
    "created_by_id",
    "created_at",
)
ALLOCATION_COLUMNS = (
    "organisation_id",
    "invoice_id",
    "payment_id",
    "credit_note_id",
    "amount",
    "date",
    "created_by_id",
    "created_at",
)


class InvoiceWriter:
    """Writes the invoices of one chunk; the caller owns the transaction and the rollback."""

    def __init__(self, run: ImportRun) -> None:
        self.run = run

    # -- invoices --------------------------------------------------------------------------------
    def write(self, lines: Sequence[InvoiceLine], errors: list[RowError]) -> None:
        debtors = write_debtors(self.run, lines, errors)
        write_contacts(self.run, lines, debtors)
        existing = {
            row["number"]: row
            for row in Invoice.objects.filter(number__any=[line.number for line in lines]).values(
                "id", "number", "open_amount", "status", "source_disputed", *INVOICE_FIELDS
            )
        }
        seen_before = self.run.seen.already([line.number for line in lines])
        first_line: dict[str, int] = {}
        new_rows: list[tuple[Any, ...]] = []
        disputes: list[InvoiceLine] = []
        updates: list[tuple[InvoiceLine, dict[str, Any], dict[str, list[Any]]]] = []
        for line in lines:
            debtor = debtors.get(line.debtor.ref)
            if debtor is None:
                continue  # already reported: a new debtor without a name
            if line.number in first_line:
                errors.append(
                    RowError(
                        line.line,
                        "invoice_number",
                        f"{line.number} already appears on line {first_line[line.number]}",
                    )
                )
                continue
            first_line[line.number] = line.line
            current = existing.get(line.number)
            if line.number in seen_before:
                errors.append(
                    RowError(line.line, "invoice_number", f"{line.number} appears twice in this file")
                )
                continue
            if line.applies_to:
                self.run.pending_credit_notes.append(
                    PendingCreditNote(line.line, line.number, line.applies_to)
                )
            if current is None:
                new_rows.append(self._new_row(line, debtor))
                if line.disputed:
                    disputes.append(line)
            else:
                self._compare(line, debtor, current, errors, updates, disputes)
        if new_rows:
            insert_rows(Invoice._meta.db_table, INSERT_COLUMNS, new_rows)
        if updates:
            self._apply_updates(updates)
        self.run.seen.add(number for number in first_line if number not in seen_before)
        for line in disputes:
            invoice = Invoice.objects.get(number=line.number)
            dispute_open(
                organisation=self.run.organisation,
                invoice=invoice,
                reason=DisputeReason.OTHER,
                on=self.run.today,
                actor=self.run.actor,
                comment=f"Signalée en litige dans l'import {self.run.batch.file_name} (ligne {line.line})",
                source=DisputeSource.IMPORT,
            )
        self._record_payments()

    def _new_row(self, line: InvoiceLine, debtor: Debtor) -> tuple[Any, ...]:
        self.run.counters.created += 1
        summary = self.run.summary(debtor.pk)
        summary.created_count += 1
        if len(summary.created) < MAX_NUMBERS_IN_SUMMARY:
            summary.created.append(line.number)
        is_invoice = line.document_type == DocumentType.INVOICE
        open_amount = line.amount
        status, paid_date = InvoiceStatus.OPEN, None
        if is_invoice and line.open_amount is not None and line.open_amount < line.amount:
            # The row is inserted as it will stand once the payment below is allocated to it, so a
            # paid history costs one payment and one allocation, not a further update.
            paid_on = line.paid_date or self.run.today
            open_amount = line.open_amount
            if open_amount == 0:
                status, paid_date = InvoiceStatus.PAID, paid_on
            self.run.payments.append(
                PendingPayment(
                    line.line,
                    line.number,
                    debtor.pk,
                    line.amount - open_amount,
                    paid_on,
                    line.paid_date is None,
                )
            )
            self.run.summary(debtor.pk).paid_by_import += line.amount - open_amount
        return (
            self.run.organisation.pk,
            debtor.pk,
            line.number,
            line.document_type,
            status,
            line.issue_date,
            line.due_date,
            line.delivery_date,
            line.amount,
            line.amount_excl_tax,
            line.currency,
            open_amount,
            paid_date,
            line.po_number,
            line.payment_terms,
            self.run.origin,
            line.disputed,
            self.run.batch.pk,
            self.run.db_now,
            self.run.db_now,
        )

    def _compare(
        self,
        line: InvoiceLine,
        debtor: Debtor,
        current: dict[str, Any],
        errors: list[RowError],
        updates: list[tuple[InvoiceLine, dict[str, Any], dict[str, list[Any]]]],
        disputes: list[InvoiceLine],
    ) -> None:
        wanted = {
            "debtor_id": debtor.pk,
            "document_type": line.document_type,
            "issue_date": line.issue_date,
            "due_date": line.due_date,
            "amount": line.amount,
            "amount_excl_tax": line.amount_excl_tax,
            "currency": line.currency,
            "po_number": line.po_number,
            "payment_terms": line.payment_terms,
            "delivery_date": line.delivery_date,
        }
        diff = {name: [current[name], value] for name, value in wanted.items() if current[name] != value}
        if "document_type" in diff:
            errors.append(
                RowError(
                    line.line,
                    "document_type",
                    f"{line.number} is already recorded as a {current['document_type']}",
                )
            )
            return
        allocated = current["amount"] - current["open_amount"]
        if "amount" in diff and line.amount < allocated:
            errors.append(
                RowError(
                    line.line,
                    "amount",
                    f"{line.amount} is less than the {allocated} already paid or credited",
                )
            )
            return
        if "debtor_id" in diff and allocated > 0:
            errors.append(
                RowError(
                    line.line,
                    "debtor_ref",
                    f"{line.number} has payments recorded for another debtor; it cannot move",
                )
            )
            return
        product_open = current["open_amount"] + (line.amount - current["amount"])
        if current["status"] == InvoiceStatus.CANCELLED:
            product_open = Decimal("0.00")
        paid = Decimal("0.00")
        if line.open_amount is not None and line.document_type == DocumentType.INVOICE:
            if line.open_amount > product_open:
                errors.append(
                    RowError(
                        line.line,
                        "open_amount",
                        f"{line.open_amount} is more than the {product_open} still open in recouvre:"
                        " a recorded payment or credit cannot be undone by an import",
                    )
                )
                return
            paid = product_open - line.open_amount
        if paid > 0:
            self.run.payments.append(
                PendingPayment(
                    line.line,
                    line.number,
                    debtor.pk,
                    paid,
                    line.paid_date or self.run.today,
                    line.paid_date is None,
                    existing=True,
                )
            )
            self.run.summary(debtor.pk).paid_by_import += paid
        if line.disputed and not current["source_disputed"]:
            disputes.append(line)
        if line.disputed != current["source_disputed"]:
            diff["source_disputed"] = [current["source_disputed"], line.disputed]
        if diff or paid > 0:
            self.run.counters.updated += 1
            self.run.summary(debtor.pk).updated_count += 1
            if diff:
                updates.append((line, current, diff))
        else:
            self.run.counters.unchanged += 1

    def _apply_updates(self, updates: list[tuple[InvoiceLine, dict[str, Any], dict[str, list[Any]]]]) -> None:

        events: list[tuple[Any, ...]] = []
        amount_changed: list[int] = []
        for line, current, diff in updates:
            values = {name: new for name, (_old, new) in diff.items()}
            if "amount" in diff and current["status"] != InvoiceStatus.CANCELLED:
                # Allocations already recorded stay; the open amount follows the new total.
                values["open_amount"] = line.amount - (current["amount"] - current["open_amount"])
                amount_changed.append(current["id"])
            Invoice.objects.filter(id=current["id"]).update(
                **values, last_import=self.run.batch, updated_at=self.run.now
            )
            visible = {k: [_json_value(o), _json_value(n)] for k, (o, n) in diff.items() if k != "debtor_id"}
            if "debtor_id" in diff:
                visible["debtor"] = [diff["debtor_id"][0], diff["debtor_id"][1]]
            events.append(
                self.run.event(
                    values.get("debtor_id", current["debtor_id"]),
                    EventKind.INVOICE_UPDATED,
                    f"Facture {line.number} modifiée par l'import : " + ", ".join(sorted(visible)),
                    {"invoice": line.number, "changes": visible, "line": line.line},
                    invoice_id=current["id"],
                )
            )
        if amount_changed:
            invoices_refresh_open_amount(amount_changed)
        events_insert(events)

    # -- payments found by the import -------------------------------------------------------------
    def _record_payments(self) -> None:
        """One payment per invoice whose open amount went down in the books, marked as coming from
        the import, with the allocation that explains the new open amount."""

        pending, self.run.payments = self.run.payments, []
        if not pending:
            return
        ids = dict(
            Invoice.objects.filter(number__any=[p.number for p in pending]).values_list("number", "id")
        )
        run = self.run
        actor_id = run.actor.pk if run.actor else None
        # The payment's reference is the invoice number: unique among this import's payments (an
        # invoice appears once in a file), so it pairs each new payment with its invoice.
        payment_ids = {
            reference: pk
            for pk, reference in insert_returning(
                Payment._meta.db_table,
                PAYMENT_COLUMNS,
                [
                    (
                        run.organisation.pk,
                        p.debtor_id,
                        p.amount,
                        "EUR",
                        p.on,
                        p.estimated,
                        p.number,
                        "import",
                        run.batch.pk,
                        actor_id,
                        run.db_now,
                    )
                    for p in pending
                ],
                returning=("id", "reference"),
            )
        }
        insert_rows(
            Allocation._meta.db_table,
            ALLOCATION_COLUMNS,
            [
                (
                    run.organisation.pk,
                    ids[p.number],
                    payment_ids[p.number],
                    None,
                    p.amount,
                    p.on,
                    actor_id,
                    run.db_now,
                )
                for p in pending
            ],
        )
        invoices_refresh_open_amount(ids[p.number] for p in pending if p.existing)
