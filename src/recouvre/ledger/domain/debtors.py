"""What a person decides about a debtor account as a whole: who works it, pausing its reminders, and
the legal facts its penalties depend on (an insolvency procedure, a contractual late-payment rate).

The assignment and pause services take many debtors at once, since the portfolio's bulk actions and
the debtor page are the same decision, and record one timeline event and one audit entry per debtor
they changed. Debtors already in the wanted state are left alone (a second click changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recouvre.audit.domain.services import audit_record
from recouvre.law.domain.penalties import format_rate
from recouvre.ledger.domain.services import LedgerError
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Debtor, Hold, Invoice
from recouvre.tenancy.domain.services import role_allows, role_of
from recouvre.tenancy.domain.settings import rate_is_valid
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

# Who may be given debtors to work: a viewer reads only.
AGENT_MINIMUM_ROLE = "agent"
# Who records an insolvency or a contractual rate: both change what the debtor is claimed.
LAW_MINIMUM_ROLE = "manager"
LAW_FIELDS = ("insolvency_since", "contractual_rate")


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


class DebtorLawInvalid(ValueError):
    """What the form shows next to each field: {field: message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _law_problems(insolvency_since: date | None, contractual_rate: Decimal | None, today: date) -> None:
    errors: dict[str, str] = {}
    if insolvency_since is not None and insolvency_since > today:
        errors["insolvency_since"] = _("Le jugement d'ouverture ne peut pas être daté après aujourd'hui.")
    if contractual_rate is not None and not rate_is_valid(contractual_rate):
        errors["contractual_rate"] = _(
            "Un taux annuel supérieur à 0 et inférieur à 100 %, avec au plus 3 décimales."
        )
    if errors:
        raise DebtorLawInvalid(errors)


def _json(value: date | Decimal | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def debtor_law_update(
    *,
    organisation: Any,
    debtor: Debtor,
    insolvency_since: date | None,
    contractual_rate: Decimal | None,
    today: date,
    actor: Any,
) -> dict[str, list[str | None]]:
    """Records or clears the opening judgment of an insolvency procedure (no reminder goes out, no 40
    EUR indemnity is claimed from that day) and the debtor's contractual rate (percent per year; the
    invoice's own rate overrides it, the 3x floor applies). Returns {field: [before, after]}."""
    if not role_allows(role_of(actor, organisation), LAW_MINIMUM_ROLE):
        raise PermissionDenied
    _law_problems(insolvency_since, contractual_rate, today)
    with transaction.atomic():
        locked = Debtor.objects.select_for_update().get(pk=debtor.pk)
        wanted = {"insolvency_since": insolvency_since, "contractual_rate": contractual_rate}
        changed = {f: (getattr(locked, f), v) for f, v in wanted.items() if getattr(locked, f) != v}
        if not changed:
            return {}
        for field, (_before, after) in changed.items():
            setattr(locked, field, after)
        locked.save(update_fields=[*changed, "updated_at"])
        for field, (_before, after) in changed.items():
            setattr(debtor, field, after)
        diff = {field: [_json(before), _json(after)] for field, (before, after) in changed.items()}
        if "insolvency_since" in changed:
            _record_insolvency(organisation, locked, actor, changed["insolvency_since"])
        if "contractual_rate" in changed:
            rate = changed["contractual_rate"][1]
            event_record(
                organisation=organisation,
                debtor_id=locked.pk,
                kind=EventKind.DEBTOR_UPDATED,
                actor=actor,
                summary=f"Taux contractuel : {format_rate(rate)} % l'an"
                if rate is not None
                else "Taux contractuel retiré",
                data={"changes": {"contractual_rate": diff["contractual_rate"]}},
            )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="update",
            object_type="debtor",
            object_id=locked.pk,
            debtor_id=locked.pk,
            changes=diff,
        )
    return diff


def _record_insolvency(
    organisation: Any, debtor: Debtor, actor: Any, change: tuple[date | None, date | None]
) -> None:
    before, after = change
    data = {"changes": {"insolvency_since": [_json(before), _json(after)]}}
    if after is None:
        event_record(
            organisation=organisation,
            debtor_id=debtor.pk,
            kind=EventKind.DEBTOR_UPDATED,
            actor=actor,
            summary="Procédure collective retirée",
            data=data,
        )
        return
    event_record(
        organisation=organisation,
        debtor_id=debtor.pk,
        kind=EventKind.INSOLVENCY_RECORDED,
        actor=actor,
        summary=f"Procédure collective : jugement d'ouverture du {after:%d/%m/%Y}",
        data={"insolvency_since": after.isoformat(), **data},
    )
