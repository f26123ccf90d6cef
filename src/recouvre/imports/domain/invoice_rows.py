"""Writing validated CSV lines into the ledger, one chunk at a time, inside the import's transaction.

Memory stays bounded whatever the file's size: a chunk holds a few thousand lines, and what must be
known across chunks is asked of the database (an invoice number already written by this import is
one whose `last_import` is this batch). Only per-debtor counters for the timeline summary and the
credit notes waiting for their invoice are kept for the whole file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from recouvre.disputes.domain.services import dispute_open
from recouvre.disputes.enums import DisputeReason
from recouvre.imports.domain.bulk import insert_rows
from recouvre.imports.domain.csv_rows import DebtorFields, InvoiceLine, RowError
from recouvre.kernel.identifiers import is_mobile_phone
from recouvre.ledger.enums import ContactKind, DebtorType, DocumentType, InvoiceStatus, Origin
from recouvre.ledger.models import Contact, Debtor, Invoice
from recouvre.timeline.domain.services import events_record_many
from recouvre.timeline.enums import EventKind
from recouvre.timeline.models import Event

DEBTOR_FIELDS = (
    "name",
    "debtor_type",
    "segment",
    "siren",
    "vat_number",
    "address",
    "postcode",
    "city",
    "country",
    "language",
)
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


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


class ChunkWriter:
    """Writes chunks for one import run; the caller owns the transaction and the rollback."""

    def __init__(
        self, *, organisation: Any, batch: Any, actor: Any, today: date, origin: str = Origin.IMPORT
    ):
        self.organisation = organisation
        self.batch = batch
        self.actor = actor
        self.today = today
        self.origin = origin
        self.now: datetime = timezone.now()
        self.counters = Counters()
        self.summaries: dict[int, DebtorSummary] = {}
        self.pending_credit_notes: list[PendingCreditNote] = []
        self.payments: list[PendingPayment] = []

    # -- debtors ---------------------------------------------------------------------------------
    def _debtors(self, lines: Sequence[InvoiceLine], errors: list[RowError]) -> dict[str, Debtor]:
        refs = {line.debtor.ref for line in lines}
        debtors = {d.ref: d for d in Debtor.objects.filter(ref__in=refs)}
        new: dict[str, Debtor] = {}
        changes: dict[str, dict[str, list[Any]]] = {}
        for line in lines:
            fields = line.debtor
            debtor = debtors.get(fields.ref)
            if debtor is None:
                if fields.name is None:
                    errors.append(
                        RowError(
                            line.line,
                            "debtor_name",
                            f"required on the first line of a new debtor ({fields.ref})",
                        )
                    )
                    continue
                debtor = Debtor(
                    organisation=self.organisation, ref=fields.ref, name=fields.name, origin=self.origin
                )
                debtors[fields.ref] = new[fields.ref] = debtor
            self._merge_debtor(debtor, fields, changes.setdefault(fields.ref, {}) if debtor.pk else None)
        if new:
            for debtor in new.values():
                debtor.debtor_type = debtor.debtor_type or DebtorType.B2B
            Debtor.objects.bulk_create(list(new.values()), batch_size=1000)
        changed = [debtors[ref] for ref, diff in changes.items() if diff]
        if changed:
            Debtor.objects.bulk_update(changed, [*list(DEBTOR_FIELDS), "updated_at"], batch_size=500)
        events = [
            self._event(d.pk, EventKind.DEBTOR_CREATED, f"Débiteur {d.name} ({d.ref}) créé par l'import", {})
            for d in new.values()
        ]
        events += [
            self._event(
                debtors[ref].pk,
                EventKind.DEBTOR_UPDATED,
                "Coordonnées mises à jour par l'import : " + ", ".join(sorted(diff)),
                {"changes": diff},
            )
            for ref, diff in changes.items()
            if diff
        ]
        events_record_many(events)
        return debtors

    def _merge_debtor(self, debtor: Debtor, fields: DebtorFields, diff: dict[str, list[Any]] | None) -> None:
        """A later line's non-empty cells win; an empty cell never erases a stored value."""
        for name in DEBTOR_FIELDS:
            value = getattr(fields, name)
            if value is None or getattr(debtor, name) == value:
                continue
            if diff is not None:
                old = diff[name][0] if name in diff else getattr(debtor, name)
                diff[name] = [old, value]
            setattr(debtor, name, value)
            debtor.updated_at = self.now

    def _contacts(self, lines: Sequence[InvoiceLine], debtors: dict[str, Debtor]) -> None:
        wanted: dict[tuple[int, str, str], bool] = {}
        for line in lines:
            debtor = debtors.get(line.debtor.ref)
            if debtor is None:
                continue
            for email in line.debtor.emails:
                wanted[(debtor.pk, ContactKind.EMAIL, email)] = False
            if line.debtor.phone:
                wanted.setdefault(
                    (debtor.pk, ContactKind.PHONE, line.debtor.phone), is_mobile_phone(line.debtor.phone)
                )
        if not wanted:
            return
        existing = set(
            Contact.objects.filter(debtor_id__in={key[0] for key in wanted}).values_list(
                "debtor_id", "kind", "value"
            )
        )
        Contact.objects.bulk_create(
            [
                Contact(
                    organisation=self.organisation,
                    debtor_id=debtor_id,
                    kind=kind,
                    value=value,
                    is_mobile=mobile,
                    origin=self.origin,
                )
                for (debtor_id, kind, value), mobile in wanted.items()
                if (debtor_id, kind, value) not in existing
            ],
            batch_size=1000,
        )

    # -- invoices --------------------------------------------------------------------------------
    def write(self, lines: Sequence[InvoiceLine], errors: list[RowError]) -> None:
        debtors = self._debtors(lines, errors)
        self._contacts(lines, debtors)
        existing = {
            row["number"]: row
            for row in Invoice.objects.filter(number__in=[line.number for line in lines]).values(
                "id", "number", "open_amount", "status", "last_import_id", "source_disputed", *INVOICE_FIELDS
            )
        }
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
            if current is not None and current["last_import_id"] == self.batch.pk:
                errors.append(
                    RowError(line.line, "invoice_number", f"{line.number} appears twice in this file")
                )
                continue
            if line.applies_to:
                self.pending_credit_notes.append(PendingCreditNote(line.line, line.number, line.applies_to))
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
        seen_ids = [row["id"] for number, row in existing.items() if number in first_line]
        if seen_ids:
            Invoice.objects.filter(id__in=seen_ids).update(last_import=self.batch)
        for line in disputes:
            invoice = Invoice.objects.get(number=line.number)
            dispute_open(
                organisation=self.organisation,
                invoice=invoice,
                reason=DisputeReason.OTHER,
                on=self.today,
                actor=self.actor,
                comment=f"Signalée en litige dans l'import {self.batch.file_name} (ligne {line.line})",
            )
        self._record_payments()

    def _new_row(self, line: InvoiceLine, debtor: Debtor) -> tuple[Any, ...]:
        self.counters.created += 1
        summary = self.summaries.setdefault(debtor.pk, DebtorSummary())
        summary.created_count += 1
        if len(summary.created) < MAX_NUMBERS_IN_SUMMARY:
            summary.created.append(line.number)
        is_invoice = line.document_type == DocumentType.INVOICE
        open_amount = line.amount
        status, paid_date = InvoiceStatus.OPEN, None
        if is_invoice and line.open_amount is not None and line.open_amount < line.amount:
            # The row is inserted as it will stand once the payment below is allocated to it, so a
            # paid history costs one payment and one allocation, not a further update.
            paid_on = line.paid_date or self.today
            open_amount = line.open_amount
            if open_amount == 0:
                status, paid_date = InvoiceStatus.PAID, paid_on
            self.payments.append(
                PendingPayment(
                    line.line,
                    line.number,
                    debtor.pk,
                    line.amount - open_amount,
                    paid_on,
                    line.paid_date is None,
                )
            )
            self.summaries[debtor.pk].paid_by_import += line.amount - open_amount
        return (
            self.organisation.pk,
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
            self.origin,
            line.disputed,
            self.batch.pk,
            self.now,
            self.now,
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
            self.payments.append(
                PendingPayment(
                    line.line,
                    line.number,
                    debtor.pk,
                    paid,
                    line.paid_date or self.today,
                    line.paid_date is None,
                    existing=True,
                )
            )
            self.summaries.setdefault(debtor.pk, DebtorSummary()).paid_by_import += paid
        if line.disputed and not current["source_disputed"]:
            disputes.append(line)
        if line.disputed != current["source_disputed"]:
            diff["source_disputed"] = [current["source_disputed"], line.disputed]
        if diff or paid > 0:
            self.counters.updated += 1
            self.summaries.setdefault(debtor.pk, DebtorSummary()).updated_count += 1
            if diff:
                updates.append((line, current, diff))
        else:
            self.counters.unchanged += 1

    def _apply_updates(self, updates: list[tuple[InvoiceLine, dict[str, Any], dict[str, list[Any]]]]) -> None:
        from recouvre.ledger.domain.services import invoices_refresh_open_amount

        events: list[Event] = []
        amount_changed: list[int] = []
        for line, current, diff in updates:
            values = {name: new for name, (_old, new) in diff.items()}
            if "amount" in diff and current["status"] != InvoiceStatus.CANCELLED:
                # Allocations already recorded stay; the open amount follows the new total.
                values["open_amount"] = line.amount - (current["amount"] - current["open_amount"])
                amount_changed.append(current["id"])
            Invoice.objects.filter(id=current["id"]).update(**values, updated_at=self.now)
            visible = {k: [_json_value(o), _json_value(n)] for k, (o, n) in diff.items() if k != "debtor_id"}
            if "debtor_id" in diff:
                visible["debtor"] = [diff["debtor_id"][0], diff["debtor_id"][1]]
            events.append(
                self._event(
                    values.get("debtor_id", current["debtor_id"]),
                    EventKind.INVOICE_UPDATED,
                    f"Facture {line.number} modifiée par l'import : " + ", ".join(sorted(visible)),
                    {"invoice": line.number, "changes": visible, "line": line.line},
                    invoice_id=current["id"],
                )
            )
        if amount_changed:
            invoices_refresh_open_amount(amount_changed)
        events_record_many(events)

    def _event(
        self, debtor_id: int, kind: str, summary: str, data: dict[str, Any], invoice_id: int | None = None
    ) -> Event:
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

    # -- payments found by the import -------------------------------------------------------------
    def _record_payments(self) -> None:
        """One payment per invoice whose open amount went down in the books, marked as coming from
        the import, with the allocation that explains the new open amount."""
        from recouvre.ledger.domain.services import invoices_refresh_open_amount
        from recouvre.ledger.models import Allocation, Payment

        pending, self.payments = self.payments, []
        if not pending:
            return
        ids = dict(Invoice.objects.filter(number__in=[p.number for p in pending]).values_list("number", "id"))
        payments = Payment.objects.bulk_create(
            [
                Payment(
                    organisation=self.organisation,
                    debtor_id=p.debtor_id,
                    amount=p.amount,
                    date=p.on,
                    date_estimated=p.estimated,
                    reference=p.number,
                    source="import",
                    import_batch=self.batch,
                    created_by=self.actor,
                )
                for p in pending
            ],
            batch_size=1000,
        )
        Allocation.objects.bulk_create(
            [
                Allocation(
                    organisation=self.organisation,
                    invoice_id=ids[p.number],
                    payment=payment,
                    amount=p.amount,
                    date=p.on,
                    created_by=self.actor,
                )
                for p, payment in zip(pending, payments, strict=True)
            ],
            batch_size=1000,
        )
        invoices_refresh_open_amount(ids[p.number] for p in pending if p.existing)

    # -- end of file -----------------------------------------------------------------------------
    def finish(self, *, complete: bool, errors: list[RowError]) -> list[str]:
        """Credit notes are allocated once every invoice of the file is in; `complete` settles the
        open invoices the file did not list. Returns the numbers settled that way."""
        self._allocate_credit_notes(errors)
        settled = self._settle_absent() if complete else []
        self._summary_events()
        return settled

    def _allocate_credit_notes(self, errors: list[RowError]) -> None:
        from recouvre.ledger.domain.services import credit_note_allocate
        from recouvre.ledger.models import Allocation, Payment

        for pending in self.pending_credit_notes:
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
                invoice=invoice, payment__import_batch=self.batch, payment__source="import"
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
                self.summaries.setdefault(invoice.debtor_id, DebtorSummary()).paid_by_import -= take
                invoice.open_amount += take
                Invoice.objects.filter(pk=invoice.pk).update(
                    open_amount=invoice.open_amount, status=InvoiceStatus.OPEN, paid_date=None
                )
            credit_note_allocate(
                organisation=self.organisation,
                credit_note=credit_note,
                invoice=invoice,
                on=credit_note.issue_date,
                actor=self.actor,
            )

    def _settle_absent(self) -> list[str]:
        from recouvre.ledger.domain.services import payment_record

        settled: list[str] = []
        absent = (
            Invoice.objects.filter(
                document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0
            )
            .exclude(last_import=self.batch)
            .select_related("debtor")
            .order_by("id")
        )
        for invoice in absent.iterator(chunk_size=1000):
            payment_record(
                organisation=self.organisation,
                debtor=invoice.debtor,
                invoice=invoice,
                amount=invoice.open_amount,
                on=self.today,
                actor=self.actor,
                reference=f"Soldée par l'import complet {self.batch.file_name}",
                source="import",
                import_batch=self.batch,
            )
            settled.append(invoice.number)
        return settled

    def _summary_events(self) -> None:
        events = []
        for debtor_id, summary in self.summaries.items():
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
                parts.append(f"{summary.paid_by_import:.2f} de règlements constatés")
            if not parts:
                continue
            events.append(
                self._event(
                    debtor_id,
                    EventKind.INVOICES_IMPORTED,
                    f"Import {self.batch.file_name} : " + ", ".join(parts),
                    {
                        "file": self.batch.file_name,
                        "created": summary.created,
                        "created_count": summary.created_count,
                        "updated_count": summary.updated_count,
                        "paid_by_import": f"{summary.paid_by_import:.2f}",
                    },
                )
            )
        events_record_many(events)
