"""Recording what interrupts an invoice's limitation (french-law.md § Limitation, digest § 3.2): an
acknowledgement by the debtor, a signed payment plan, a court claim, an enforcement or conservatory
measure. A reminder or a formal notice is not among the kinds: it never interrupts limitation.

A mistaken interruption is withdrawn, never deleted: the row stays, stamped with who withdrew it and
why, and stops counting (ledger.domain.queries reads only the rows not withdrawn)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recouvre.audit.domain.services import audit_record
from recouvre.ledger.domain.queries import invoice_as_of
from recouvre.ledger.domain.services import LedgerError
from recouvre.ledger.enums import InterruptionKind, InvoiceStatus
from recouvre.ledger.models import Invoice, LimitationInterruption
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

# The model's column sizes.
REFERENCE_MAX = 200
REASON_MAX = 200


class InterruptionRefused(LedgerError):
    """A refusal with, for a form, the field each message belongs to ("__all__": the whole request)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


def _check_record(invoice: Invoice, kind: str, on: date, reference: str, today: date) -> None:
    errors: dict[str, str] = {}
    if invoice.is_credit_note:
        errors["__all__"] = _("%(number)s est un avoir : sa prescription ne s'interrompt pas.") % {
            "number": invoice.number
        }
    elif invoice.status == InvoiceStatus.CANCELLED:
        errors["__all__"] = _("La facture %(number)s est annulée.") % {"number": invoice.number}
    if kind not in InterruptionKind.values:
        errors["kind"] = _("Nature d'interruption inconnue : %(kind)s.") % {"kind": kind}
    if on > today:
        errors["date"] = _("La date ne peut pas être dans le futur (aujourd'hui : %(today)s).") % {
            "today": f"{today:%d/%m/%Y}"
        }
    elif on < invoice.issue_date:
        errors["date"] = _("La date précède l'émission de la facture (%(issued)s).") % {
            "issued": f"{invoice.issue_date:%d/%m/%Y}"
        }
    if len(reference) > REFERENCE_MAX:
        errors["reference"] = _("%(max)s caractères au plus.") % {"max": REFERENCE_MAX}
    if errors:
        raise InterruptionRefused(errors)


def limitation_interruption_record(
    *,
    organisation: Any,
    invoice: Invoice,
    kind: str,
    on: date,
    today: date,
    actor: Any,
    reference: str = "",
) -> LimitationInterruption:
    """Records that the limitation of `invoice` was interrupted on `on` (a new full period starts
    then). `today` is the caller's day: an interruption cannot be recorded ahead of the event.
    The same interruption recorded twice (a second click) is returned as it is, recording nothing."""
    reference = reference.strip()
    _check_record(invoice, kind, on, reference, today)
    with transaction.atomic():
        # Locked so that two simultaneous submissions do not both pass the duplicate check.
        Invoice.objects.select_for_update().only("id").get(pk=invoice.pk)
        existing = LimitationInterruption.objects.filter(
            invoice=invoice, kind=kind, date=on, reference=reference, withdrawn_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        interruption = LimitationInterruption.objects.create(
            organisation=organisation,
            invoice=invoice,
            kind=kind,
            date=on,
            reference=reference,
            created_by=actor,
        )
        state = invoice_as_of(invoice, today)
        label = InterruptionKind(kind).label
        summary = f"Prescription de {invoice.number} interrompue le {on:%d/%m/%Y} : {label}"
        if reference:
            summary += f" ({reference})"
        if state.prescription_date:
            summary += f" ; prescrite le {state.prescription_date:%d/%m/%Y}"
        event_record(
            organisation=organisation,
            debtor_id=invoice.debtor_id,
            invoice_id=invoice.id,
            kind=EventKind.LIMITATION_INTERRUPTED,
            actor=actor,
            summary=summary,
            data={
                "interruption_id": interruption.id,
                "invoice": invoice.number,
                "kind": kind,
                "date": on.isoformat(),
                "reference": reference,
                "prescription_date": state.prescription_date.isoformat() if state.prescription_date else None,
            },
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="create",
            object_type="limitation_interruption",
            object_id=interruption.pk,
            debtor_id=invoice.debtor_id,
            changes={"invoice": invoice.number, "kind": kind, "date": on.isoformat(), "reference": reference},
        )
    return interruption


def limitation_interruption_withdraw(
    *, organisation: Any, interruption: LimitationInterruption, reason: str, actor: Any
) -> LimitationInterruption:
    """Withdraws a mistaken interruption: it is kept, stamped, and no longer counts. Withdrawing one
    already withdrawn (a second click) changes nothing."""
    reason = reason.strip()
    if not reason:
        raise InterruptionRefused({"reason": _("Indiquez pourquoi l'interruption est retirée.")})
    if len(reason) > REASON_MAX:
        raise InterruptionRefused({"reason": _("%(max)s caractères au plus.") % {"max": REASON_MAX}})
    with transaction.atomic():
        interruption = LimitationInterruption.objects.select_for_update().get(pk=interruption.pk)
        if interruption.withdrawn_at is not None:
            return interruption
        interruption.withdrawn_at = timezone.now()
        interruption.withdrawn_by = actor
        interruption.withdrawn_reason = reason
        interruption.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        invoice = interruption.invoice
        label = InterruptionKind(interruption.kind).label
        event_record(
            organisation=organisation,
            debtor_id=invoice.debtor_id,
            invoice_id=invoice.id,
            kind=EventKind.LIMITATION_INTERRUPTION_WITHDRAWN,
            actor=actor,
            summary=f"Interruption du {interruption.date:%d/%m/%Y} ({label}) retirée : {reason}",
            data={
                "interruption_id": interruption.id,
                "invoice": invoice.number,
                "kind": interruption.kind,
                "date": interruption.date.isoformat(),
                "reason": reason,
            },
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="update",
            object_type="limitation_interruption",
            object_id=interruption.pk,
            debtor_id=invoice.debtor_id,
            changes={"withdrawn_reason": reason},
        )
    return interruption
