"""What a person decides about a debtor account as a whole: who works it, and pausing its reminders.

Each service takes many debtors at once, since the portfolio's bulk actions and the debtor page are
the same decision, and records one timeline event and one audit entry per debtor it changed. Debtors
already in the wanted state are left alone (a second click changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from recouvre.audit.domain.services import audit_record
from recouvre.ledger.domain.services import LedgerError
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Debtor, Hold, Invoice
from recouvre.tenancy.domain.services import role_allows, role_of
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

# Who may be given debtors to work: a viewer reads only.
AGENT_MINIMUM_ROLE = "agent"


def debtor_assign_agent(
    *, organisation: Any, debtors: Sequence[Debtor], agent: Any | None, actor: Any
) -> int:
    """Gives the debtors to `agent` (None: to nobody). Returns how many changed hands."""
    if agent is not None and not role_allows(role_of(agent, organisation), AGENT_MINIMUM_ROLE):
        raise LedgerError(f"{agent} is not a collector of {organisation}")
    agent_id = agent.pk if agent is not None else None
    changed = [d for d in debtors if d.agent_id != agent_id]
    with transaction.atomic():
        for debtor in changed:
            before = debtor.agent_id
            debtor.agent_id = agent_id
            debtor.save(update_fields=["agent", "updated_at"])
            name = str(agent) if agent is not None else ""
            event_record(
                organisation=organisation,
                debtor_id=debtor.pk,
                kind=EventKind.AGENT_ASSIGNED,
                actor=actor,
                summary=f"Dossier confié à {name}" if name else "Dossier sans chargé de recouvrement",
                data={"agent_id": agent_id, "agent": name, "previous_agent_id": before},
            )
            audit_record(
                organisation=organisation,
                actor=actor,
                action="update",
                object_type="debtor",
                object_id=debtor.pk,
                debtor_id=debtor.pk,
                changes={"agent_id": [before, agent_id]},
            )
    return len(changed)


def _active_holds(debtor_ids: Sequence[int], today: date) -> Q:
    return Q(
        invoice__debtor_id__in=debtor_ids,
        released_on__isnull=True,
        starts_on__lte=today,
        ends_on__gte=today,
    )


@dataclass(frozen=True)
class PauseState:
    """A debtor whose every open invoice is on hold today is paused until the earliest end."""

    paused: bool
    until: date | None
    reason: str


def debtor_pause_states(debtor_ids: Sequence[int], today: date) -> dict[int, PauseState]:
    open_invoices: dict[int, set[int]] = {}
    for debtor_id, invoice_id in Invoice.objects.filter(
        debtor_id__in=debtor_ids,
        document_type=DocumentType.INVOICE,
        status=InvoiceStatus.OPEN,
        open_amount__gt=0,
    ).values_list("debtor_id", "id"):
        open_invoices.setdefault(debtor_id, set()).add(invoice_id)
    held: dict[int, dict[int, Hold]] = {}
    for hold in Hold.objects.filter(_active_holds(debtor_ids, today)).select_related("invoice"):
        held.setdefault(hold.invoice.debtor_id, {})[hold.invoice_id] = hold
    states = {}
    for debtor_id in debtor_ids:
        invoices = open_invoices.get(debtor_id, set())
        holds = held.get(debtor_id, {})
        if invoices and invoices <= holds.keys():
            first = min((holds[i] for i in invoices), key=lambda h: h.ends_on)
            states[debtor_id] = PauseState(True, first.ends_on, first.reason)
        else:
            states[debtor_id] = PauseState(False, None, "")
    return states


def debtor_pause(
    *, organisation: Any, debtors: Sequence[Debtor], until: date, reason: str, today: date, actor: Any
) -> int:
    """Takes every open invoice of the debtors out of the reminders until `until` (inclusive), as
    holds (dunning.md: a held invoice leaves the reminders like a disputed one). Invoices already held
    over the period keep their hold. Returns how many debtors were paused."""
    reason = reason.strip()
    if not reason:
        raise LedgerError("a pause needs a reason")
    if until < today:
        raise LedgerError(f"the pause would end ({until:%d/%m/%Y}) before today ({today:%d/%m/%Y})")
    ids = [d.pk for d in debtors]
    already = set(
        Hold.objects.filter(_active_holds(ids, today), ends_on__gte=until).values_list(
            "invoice_id", flat=True
        )
    )
    invoices: dict[int, list[Invoice]] = {}
    for invoice in Invoice.objects.filter(
        debtor_id__in=ids, document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0
    ).order_by("due_date", "id"):
        if invoice.pk not in already:
            invoices.setdefault(invoice.debtor_id, []).append(invoice)
    paused = 0
    now = timezone.now()
    with transaction.atomic():
        for debtor in debtors:
            to_hold = invoices.get(debtor.pk, [])
            if not to_hold:
                continue
            holds = Hold.objects.bulk_create(
                Hold(
                    organisation=organisation,
                    invoice=invoice,
                    reason=reason[:300],
                    starts_on=today,
                    ends_on=until,
                    created_by=actor,
                    created_at=now,
                )
                for invoice in to_hold
            )
            numbers = [i.number for i in to_hold]
            event_record(
                organisation=organisation,
                debtor_id=debtor.pk,
                kind=EventKind.DEBTOR_PAUSED,
                actor=actor,
                summary=f"Relances suspendues jusqu'au {until:%d/%m/%Y} : {reason}",
                data={"until": until.isoformat(), "reason": reason, "invoices": numbers},
            )
            audit_record(
                organisation=organisation,
                actor=actor,
                action="create",
                object_type="hold",
                object_id=",".join(str(h.pk) for h in holds),
                debtor_id=debtor.pk,
                changes={"invoices": numbers, "until": until.isoformat(), "reason": reason},
            )
            paused += 1
    return paused


def debtor_resume(*, organisation: Any, debtors: Sequence[Debtor], today: date, actor: Any) -> int:
    """Releases today every hold running on the debtors' invoices. Returns how many debtors resumed."""
    ids = [d.pk for d in debtors]
    by_debtor: dict[int, list[Hold]] = {}
    for hold in Hold.objects.filter(_active_holds(ids, today)).select_related("invoice"):
        by_debtor.setdefault(hold.invoice.debtor_id, []).append(hold)
    with transaction.atomic():
        for debtor_id, holds in by_debtor.items():
            Hold.objects.filter(pk__in=[h.pk for h in holds]).update(released_on=today)
            numbers = sorted({h.invoice.number for h in holds})
            event_record(
                organisation=organisation,
                debtor_id=debtor_id,
                kind=EventKind.DEBTOR_RESUMED,
                actor=actor,
                summary="Relances reprises",
                data={"invoices": numbers, "released_on": today.isoformat()},
            )
            audit_record(
                organisation=organisation,
                actor=actor,
                action="update",
                object_type="hold",
                object_id=",".join(str(h.pk) for h in holds),
                debtor_id=debtor_id,
                changes={"released_on": today.isoformat(), "invoices": numbers},
            )
    return len(by_debtor)
