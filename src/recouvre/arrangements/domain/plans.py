"""Payment plans: proposed (by the debtor on the portal, an agent or the API), accepted within the
organisation's rules or decided by a manager, signed (an acknowledgement of debt that interrupts
the invoices' limitation, with its PDF), then watched every day until paid or broken.

Callers run inside the organisation's scope. The dunning side (the plan's instalments replacing the
scenario, the case resuming after a breach) reads the plan's status; it is not done here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from recouvre.arrangements.documents.plan_pdf import plan_pdf, plan_pdf_store
from recouvre.arrangements.domain.schedule import (
    InstalmentLine,
    Problem,
    plan_check,
    plan_schedule,
    plan_state,
)
from recouvre.arrangements.enums import (
    PLAN_OPEN_STATUSES,
    InstalmentStatus,
    PlanFrequency,
    PlanStatus,
    SignatureMethod,
)
from recouvre.arrangements.models import Instalment, PaymentPlan, PlanInvoice
from recouvre.audit.domain.services import audit_record
from recouvre.kernel.money import format_amount, format_money
from recouvre.ledger.domain.limitation import limitation_interruption_record
from recouvre.ledger.enums import InterruptionKind, InvoiceStatus
from recouvre.ledger.models import Debtor, Invoice, Payment
from recouvre.tenancy.domain.organisation_settings import organisation_settings
from recouvre.tenancy.domain.services import role_allows, role_of
from recouvre.tenancy.enums import Role
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

SIGNATURE_MAX = 200


class PlanError(ValueError):
    """A refusal, worded for the person who asked (translated)."""


def plan_problem_text(problem: Problem) -> str:
    limit = format_money(Decimal(problem.limit)) if problem.code == "min_instalment" else problem.limit
    return {
        "count": _("Un échéancier compte au moins une échéance."),
        "total": _("Le montant à échelonner doit être positif."),
        "frequency": _("Fréquence inconnue."),
        "first_date_past": _("La première échéance ne peut pas être dans le passé."),
        "below_a_cent": _("Trop d'échéances pour ce montant."),
        "max_instalments": _("Plus de %(limit)s échéances."),
        "min_instalment": _("Des échéances de moins de %(limit)s."),
        "first_date_late": _("Une première échéance à plus de %(limit)s jours."),
        "max_duration": _("Une dernière échéance à plus de %(limit)s mois."),
    }[problem.code] % {"limit": limit}


def _reference(plan: PaymentPlan) -> str:
    return f"Échéancier n° {plan.pk}"


def _event(plan: PaymentPlan, kind: str, actor: Any, summary: str, **data: Any) -> None:
    event_record(
        organisation=plan.organisation,
        debtor_id=plan.debtor_id,
        kind=kind,
        actor=actor,
        summary=summary,
        data={"plan_id": plan.pk, **data},
    )


def _audit(plan: PaymentPlan, actor: Any, action: str, changes: dict[str, Any]) -> None:
    audit_record(
        organisation=plan.organisation,
        actor=actor,
        action=action,
        object_type="payment_plan",
        object_id=plan.pk,
        debtor_id=plan.debtor_id,
        changes=changes,
    )


def _covered_invoices(debtor: Debtor, invoices: list[Invoice]) -> list[Invoice]:
    """The invoices, locked and read afresh: the debtor's own, open, and in one currency."""
    ids = sorted({invoice.pk for invoice in invoices})
    if not ids:
        raise PlanError(_("Choisissez au moins une facture."))
    rows = list(Invoice.objects.select_for_update().filter(pk__in=ids).order_by("due_date", "number"))
    for invoice in rows:
        if invoice.debtor_id != debtor.pk:
            raise PlanError(_("La facture %(number)s n'est pas de ce débiteur.") % {"number": invoice.number})
        if invoice.is_credit_note or invoice.status != InvoiceStatus.OPEN or invoice.open_amount <= 0:
            raise PlanError(_("La facture %(number)s n'a rien à payer.") % {"number": invoice.number})
    if len(rows) != len(ids):
        raise PlanError(_("Facture inconnue."))
    if len({invoice.currency for invoice in rows}) > 1:
        raise PlanError(_("Les factures d'un échéancier sont dans une seule devise."))
    return rows


def plan_propose(
    *,
    organisation: Any,
    debtor: Debtor,
    invoices: list[Invoice],
    count: int,
    frequency: str,
    first_date: date,
    today: date,
    source: str,
    actor: Any,
) -> PaymentPlan:
    """A plan for the open amounts of `invoices`: waiting for the debtor's signature when within
    the organisation's rules, for a manager's decision otherwise. A plan still pending for the
    debtor is replaced (cancelled); one already signed and running refuses the proposal."""
    rules = organisation_settings(organisation).plans
    with transaction.atomic():
        Debtor.objects.select_for_update().only("id").get(pk=debtor.pk)
        pending = list(
            PaymentPlan.objects.select_for_update().filter(debtor=debtor, status__in=PLAN_OPEN_STATUSES)
        )
        if any(plan.status == PlanStatus.ACTIVE for plan in pending):
            raise PlanError(_("Un échéancier signé est déjà en cours pour ce débiteur."))
        rows = _covered_invoices(debtor, invoices)
        total = sum((invoice.open_amount for invoice in rows), Decimal("0.00"))
        problems = plan_check(rules, total, count, first_date, today, frequency)
        blocking = [problem for problem in problems if problem.blocking]
        if blocking:
            raise PlanError(" ".join(plan_problem_text(problem) for problem in blocking))
        for old in pending:
            _close(
                old, PlanStatus.CANCELLED, today, actor, cancel_reason="Remplacé par une autre proposition"
            )
        lines = plan_schedule(total, count, first_date, frequency)
        plan = PaymentPlan.objects.create(
            organisation=organisation,
            debtor=debtor,
            total=total,
            currency=rows[0].currency,
            frequency=frequency,
            instalment_count=count,
            first_date=first_date,
            status=PlanStatus.AWAITING_APPROVAL if problems else PlanStatus.PROPOSED,
            proposed_by=source,
            proposed_on=today,
            problems=[{"code": p.code, "limit": p.limit} for p in problems],
            grace_days=rules.grace_days,
            created_by=actor,
        )
        PlanInvoice.objects.bulk_create(
            PlanInvoice(organisation=organisation, plan=plan, invoice=invoice, amount=invoice.open_amount)
            for invoice in rows
        )
        Instalment.objects.bulk_create(
            Instalment(
                organisation=organisation,
                plan=plan,
                number=line.number,
                due_date=line.due_date,
                amount=line.amount,
            )
            for line in lines
        )
        money = format_money(total, plan.currency)
        label = PlanFrequency(frequency).label
        _event(
            plan,
            EventKind.PLAN_PROPOSED,
            actor,
            f"Échéancier proposé : {money} en {count} échéance(s), fréquence {str(label).lower()}, "
            f"à partir du {first_date:%d/%m/%Y}",
            total=format_amount(total),
            count=count,
            frequency=frequency,
            first_date=first_date.isoformat(),
            source=source,
            invoices=[invoice.number for invoice in rows],
            problems=plan.problems,
            replaces=[old.pk for old in pending],
        )
        if not problems:
            _event(plan, EventKind.PLAN_ACCEPTED, actor, "Échéancier accepté : dans les règles")
        _audit(
            plan,
            actor,
            "create",
            {"total": format_amount(total), "count": count, "frequency": frequency, "status": plan.status},
        )
    return plan


def _locked(plan: PaymentPlan, *statuses: str) -> PaymentPlan:
    locked = PaymentPlan.objects.select_for_update().select_related("debtor", "organisation").get(pk=plan.pk)
    if locked.status not in statuses:
        raise PlanError(
            _("Cet échéancier est déjà dans l'état « %(status)s ».") % {"status": locked.get_status_display()}
        )
    return locked


def plan_decide(
    *, plan: PaymentPlan, approve: bool, today: date, actor: Any, reason: str = ""
) -> PaymentPlan:
    """A manager approves a proposal outside the rules (it then waits for the signature) or refuses
    it, saying why."""
    reason = reason.strip()
    if not role_allows(role_of(actor, plan.organisation), Role.MANAGER):
        raise PermissionDenied
    if not approve and not reason:
        raise PlanError(_("Indiquez pourquoi l'échéancier est refusé."))
    with transaction.atomic():
        plan = _locked(plan, PlanStatus.AWAITING_APPROVAL)
        if approve and plan.first_date < today:
            raise PlanError(
                _("La première échéance est passée : refusez et faites une nouvelle proposition.")
            )
        plan.decided_by, plan.decided_at = actor, timezone.now()
        if approve:
            plan.status = PlanStatus.PROPOSED
            plan.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
            summary = "Échéancier approuvé hors règles" + (f" : {reason}" if reason else "")
            _event(plan, EventKind.PLAN_ACCEPTED, actor, summary, reason=reason)
        else:
            plan.status, plan.refusal_reason, plan.ended_on = PlanStatus.REFUSED, reason, today
            plan.save(
                update_fields=[
                    "status",
                    "refusal_reason",
                    "ended_on",
                    "decided_by",
                    "decided_at",
                    "updated_at",
                ]
            )
            _event(plan, EventKind.PLAN_REFUSED, actor, f"Échéancier refusé : {reason}", reason=reason)
        _audit(plan, actor, "update", {"status": plan.status, "reason": reason})
    return plan


def plan_sign(*, plan: PaymentPlan, today: date, actor: Any, signature_text: str) -> PaymentPlan:
    """Records the signature: by the debtor on the portal (`actor` None) or recorded by a person
    from a signed copy. Writes the signed PDF, interrupts the limitation of every covered invoice
    still open (C. civ. 2240), and the plan becomes active."""
    signature_text = " ".join(signature_text.split())
    if not signature_text:
        raise PlanError(_("La signature est obligatoire."))
    if len(signature_text) > SIGNATURE_MAX:
        raise PlanError(_("%(max)s caractères au plus.") % {"max": SIGNATURE_MAX})
    with transaction.atomic():
        plan = _locked(plan, PlanStatus.PROPOSED)
        if plan.first_date < today:
            raise PlanError(_("La première échéance est passée : faites une nouvelle proposition."))
        plan.status = PlanStatus.ACTIVE
        plan.signed_at, plan.signed_on, plan.signed_by = timezone.now(), today, actor
        plan.signature_method = SignatureMethod.PORTAL if actor is None else SignatureMethod.RECORDED
        plan.signature_text = signature_text
        links = list(plan.links.select_related("invoice").order_by("invoice__due_date", "invoice__number"))
        instalments = list(plan.instalments.order_by("number"))
        pdf = plan_pdf(plan, plan.organisation, links, instalments)
        plan.signed_document = plan_pdf_store(plan.organisation.slug, plan.pk, pdf)
        plan.save()
        interrupted = []
        for link in links:
            invoice = Invoice.objects.get(pk=link.invoice_id)
            if invoice.status != InvoiceStatus.OPEN or invoice.open_amount <= 0 or invoice.issue_date > today:
                continue
            limitation_interruption_record(
                organisation=plan.organisation,
                invoice=invoice,
                kind=InterruptionKind.PAYMENT_PLAN,
                on=today,
                today=today,
                actor=actor,
                reference=_reference(plan),
            )
            interrupted.append(invoice.number)
        _event(
            plan,
            EventKind.PLAN_SIGNED,
            actor,
            f"Échéancier signé le {today:%d/%m/%Y} ({plan.get_signature_method_display()}) : "
            f"reconnaissance de dette de {format_money(plan.total, plan.currency)}",
            signed_on=today.isoformat(),
            method=plan.signature_method,
            document=plan.signed_document,
            interrupted=interrupted,
        )
        _audit(plan, actor, "update", {"status": plan.status, "signed_on": today.isoformat()})
    return plan


def _close(plan: PaymentPlan, status: str, on: date, actor: Any, *, cancel_reason: str = "") -> None:
    plan.status, plan.ended_on, plan.cancel_reason = status, on, cancel_reason
    plan.save(update_fields=["status", "ended_on", "cancel_reason", "updated_at"])
    if status == PlanStatus.CANCELLED:
        # No kind of its own yet: a note, like the holds' system notes.
        summary = f"Échéancier n° {plan.pk} annulé" + (f" : {cancel_reason}" if cancel_reason else "")
        _event(plan, EventKind.NOTE, actor, summary, plan_status=status, reason=cancel_reason)
    _audit(plan, actor, "update", {"status": status, "ended_on": on.isoformat(), "reason": cancel_reason})


def plan_cancel(*, plan: PaymentPlan, today: date, actor: Any, reason: str = "") -> PaymentPlan:
    """Ends a plan still pending or running, e.g. the debtor paid otherwise or asked for another
    one; a running plan's case resumes. Its instalments stay as they were."""
    with transaction.atomic():
        plan = _locked(plan, *PLAN_OPEN_STATUSES)
        _close(plan, PlanStatus.CANCELLED, today, actor, cancel_reason=reason.strip())
    return plan


@dataclass
class WatchReport:
    plans: int = 0
    instalments_paid: int = 0
    broken: int = 0
    completed: int = 0


def plans_watch(*, organisation: Any, today: date) -> WatchReport:
    """The daily check of the organisation's active plans: the debtor's payments dated from the
    signature through `today` paid which instalments, and did the plan break or end. Running it
    twice on a day changes nothing the second time."""
    report = WatchReport()
    ids = list(
        PaymentPlan.objects.filter(organisation=organisation, status=PlanStatus.ACTIVE).values_list(
            "id", flat=True
        )
    )
    for plan_id in ids:
        with transaction.atomic():
            plan = PaymentPlan.objects.select_for_update().select_related("organisation").get(pk=plan_id)
            if plan.status == PlanStatus.ACTIVE:
                _watch_one(plan, today, report)
    return report


def _watch_one(plan: PaymentPlan, today: date, report: WatchReport) -> None:
    report.plans += 1
    payments = dict(
        Payment.objects.filter(
            debtor_id=plan.debtor_id, currency=plan.currency, date__gte=plan.signed_on, date__lte=today
        )
        .values("date")
        .annotate(total=Sum("amount"))
        .values_list("date", "total")
        .order_by()
    )
    rows = list(plan.instalments.order_by("number"))
    lines = [InstalmentLine(row.number, row.due_date, row.amount) for row in rows]
    state = plan_state(lines, payments, today, plan.grace_days)
    for row, new in zip(rows, state.instalments, strict=True):
        if (row.paid_amount, row.paid_on, row.status) == (new.paid_amount, new.paid_on, new.status):
            continue
        newly_paid = new.status == InstalmentStatus.PAID and row.status != InstalmentStatus.PAID
        row.paid_amount, row.paid_on, row.status = new.paid_amount, new.paid_on, new.status
        row.save(update_fields=["paid_amount", "paid_on", "status"])
        if newly_paid:
            report.instalments_paid += 1
            _event(
                plan,
                EventKind.INSTALMENT_PAID,
                None,
                f"Échéance {row.number}/{plan.instalment_count} de {format_money(row.amount, plan.currency)} "
                f"payée le {row.paid_on:%d/%m/%Y}",
                number=row.number,
                amount=format_amount(row.amount),
                paid_on=row.paid_on.isoformat() if row.paid_on else None,
            )
    if state.outcome == "broken" and state.ended_on:
        grace = timedelta(days=plan.grace_days)
        missed = [
            s.number
            for s in state.instalments
            if s.status == InstalmentStatus.MISSED or (s.paid_on and s.paid_on > s.due_date + grace)
        ]
        _close(plan, PlanStatus.BROKEN, state.ended_on, None)
        _event(
            plan,
            EventKind.PLAN_BROKEN,
            None,
            f"Échéancier rompu le {state.ended_on:%d/%m/%Y} : échéance impayée "
            f"au-delà de {plan.grace_days} jour(s) de grâce",
            broken_on=state.ended_on.isoformat(),
            missed=missed,
        )
        report.broken += 1
    elif state.outcome == "completed" and state.ended_on:
        _close(plan, PlanStatus.COMPLETED, state.ended_on, None)
        _event(
            plan,
            EventKind.PLAN_COMPLETED,
            None,
            f"Échéancier soldé le {state.ended_on:%d/%m/%Y}",
            completed_on=state.ended_on.isoformat(),
        )
        report.completed += 1
