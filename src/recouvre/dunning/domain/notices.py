"""Notices outside the dunning ladder, planned by the daily cycle and sent through the outbox like
every other message (issue 6): how a closed dispute ended (`dispute_outcome`), and a courteous
reminder before each instalment of a signed payment plan (`plan_instalment`). Neither belongs to a
case (`case=None`); the dispatcher checks them again at the moment of sending (`notice_stale`),
lists the invoices they speak of (`notice_invoices`), and compose fills their placeholders
(`notice_context`).

A dispute is marked told when its notice has left (`notice_sent`, from the dispatcher's success
path), not when it is planned: a notice cancelled (do not contact) or failed has told the debtor
nothing, and the dispute must stay on the list of answers still owed for a person to deal with.
So the planner itself must not plan twice: a dispute gets one notice, whatever became of it (a
cancelled or failed one is left for a person, who can tell the debtor otherwise).

An instalment's reminder is keyed by the instalment's due date, stored in `courtesy_due_date`:
the constraint "one action per debtor and courtesy date" then guarantees, in the database, that the
same instalment is never reminded twice, and a plan has one instalment per date. A courtesy e-mail
already planned for an invoice falling due that very day takes the key: the reminder is then left
out (the debtor hears about that day's payment anyway)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from recouvre.arrangements.enums import InstalmentStatus, PlanStatus
from recouvre.arrangements.models import Instalment, PaymentPlan
from recouvre.disputes.domain.services import DisputeError
from recouvre.disputes.domain.workflow import dispute_debtor_told, disputes_to_tell
from recouvre.disputes.enums import DisputeOutcome, DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.dunning.domain.scenario import EMAIL, LETTER
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.kernel.money import format_money
from recouvre.ledger.enums import ContactKind, DocumentType, InvoiceStatus
from recouvre.ledger.models import Debtor, Invoice
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

DISPUTE_OUTCOME = "dispute_outcome"
PLAN_INSTALMENT = "plan_instalment"
NOTICE_STEPS = (DISPUTE_OUTCOME, PLAN_INSTALMENT)
# Days ahead of an instalment its reminder goes. Every instalment due within this window and not yet
# reminded is planned, not only the one due in exactly this many days: a cycle that did not run one
# day, or a plan signed two days before its first instalment, still gets its reminder.
INSTALMENT_LEAD_DAYS = 3
PLAN_REFERENCE = "Échéancier n° {id}"  # as printed on the signed plan (arrangements)

logger = logging.getLogger("recouvre.notices")

_OUTCOME_TEXTS = {
    "fr": {
        DisputeOutcome.UPHELD: "Après examen, votre contestation n'a pas été retenue : la facture {number} "
        "reste due.",
        DisputeOutcome.CREDIT_NOTE: "Après examen, nous avons établi un avoir de {credited} sur la facture "
        "{number}.",
        DisputeOutcome.INVOICE_CANCELLED: "Après examen, nous avons annulé la facture {number} par un avoir "
        "de {credited}.",
        DisputeOutcome.WITHDRAWN: "Vous nous avez fait savoir que vous retiriez votre contestation : la "
        "facture {number} reste due.",
    },
    "en": {
        DisputeOutcome.UPHELD: "Having looked into it, we did not accept your dispute: invoice {number} "
        "remains due.",
        DisputeOutcome.CREDIT_NOTE: "Having looked into it, we issued a credit note of {credited} against "
        "invoice {number}.",
        DisputeOutcome.INVOICE_CANCELLED: "Having looked into it, we cancelled invoice {number} by a credit "
        "note of {credited}.",
        DisputeOutcome.WITHDRAWN: "You let us know that you withdraw your dispute: invoice {number} "
        "remains due.",
    },
}
_BALANCE_TEXTS = {
    "fr": {
        "due": "Il reste {open} à régler sur cette facture ; nos rappels de paiement reprennent pour "
        "ce montant.",
        "settled": "Vous ne nous devez plus rien au titre de cette facture.",
    },
    "en": {
        "due": "{open} remains to be paid on this invoice; our payment reminders resume for this amount.",
        "settled": "You owe us nothing more on this invoice.",
    },
}


@dataclass
class NoticeFigures:
    disputes: int = 0
    instalments: int = 0


def base_step(step: str) -> str:
    """The notice a step or template code stands for (`dispute_outcome_letter` → `dispute_outcome`)."""
    return step.removesuffix("_letter")


def is_notice(action: Action) -> bool:
    return base_step(action.step) in NOTICE_STEPS


def _reachable_channel(debtor: Debtor) -> str:
    # A debtor without an address either gets a letter the dispatcher turns into a task to find one.
    has_email = debtor.contacts.filter(kind=ContactKind.EMAIL, invalid_since__isnull=True).exists()
    return EMAIL if has_email else LETTER


def _silenced(debtor: Debtor) -> bool:
    return bool(debtor.do_not_contact or debtor.redacted_at or debtor.insolvency_since)


def _planned(organisation: Any, debtor: Debtor, step: str, invoices: list[Invoice], **fields: Any) -> Action:
    channel = _reachable_channel(debtor)
    action = Action.objects.create(
        organisation=organisation,
        debtor=debtor,
        case=None,
        step=step,
        channel=channel,
        status=ActionStatus.PLANNED,
        invoice_ids=[i.pk for i in invoices],
        invoice_numbers=[i.number for i in invoices],
        currency=invoices[0].currency if invoices else "EUR",
        **fields,
    )
    event_record(
        organisation=organisation,
        debtor_id=debtor.pk,
        kind=EventKind.MESSAGE_PLANNED,
        summary=f"Message programmé : {step} ({action.get_channel_display()})",
        data={"action_id": action.pk, "step": step, "channel": channel, "invoices": action.invoice_numbers},
    )
    return action


def _dispute_notices(dispute: Dispute) -> list[Action]:
    """The notices already planned for this dispute: on its invoice, from the day it closed (an
    earlier dispute on the same invoice had its own, sent before this one was even opened)."""
    candidates = Action.objects.filter(
        debtor_id=dispute.debtor_id, step=DISPUTE_OUTCOME, scheduled_for__gte=dispute.closed_on
    )
    return [a for a in candidates if dispute.invoice_id in (a.invoice_ids or [])]


def _plan_dispute_outcome(organisation: Any, dispute: Dispute, today: date) -> bool:
    with transaction.atomic():
        # Two cycles at once: the second waits here, then finds the first one's notice.
        Dispute.objects.select_for_update().filter(pk=dispute.pk).values_list("pk", flat=True).first()
        if _dispute_notices(dispute):
            return False
        invoice = dispute.invoice
        _planned(
            organisation,
            dispute.debtor,
            DISPUTE_OUTCOME,
            [invoice],
            scheduled_for=today,
            amount_due=invoice.open_amount,
        )
    return True


def _covered_open_invoices(plan: PaymentPlan) -> list[Invoice]:
    return list(
        Invoice.objects.filter(
            plan_links__plan=plan,
            document_type=DocumentType.INVOICE,
            status=InvoiceStatus.OPEN,
            open_amount__gt=0,
        ).order_by("due_date", "number")
    )


def _plan_instalment(organisation: Any, instalment: Instalment, today: date) -> bool:
    plan = instalment.plan
    debtor = plan.debtor
    if Action.objects.filter(debtor=debtor, courtesy_due_date=instalment.due_date).exists():
        return False
    try:
        with transaction.atomic():
            _planned(
                organisation,
                debtor,
                PLAN_INSTALMENT,
                _covered_open_invoices(plan),
                scheduled_for=today,
                courtesy_due_date=instalment.due_date,
                amount_due=instalment.amount - instalment.paid_amount,
            )
    except IntegrityError:  # another cycle planned it between the check and the insert
        return False
    return True


def notices_plan(*, organisation: Any, today: date) -> NoticeFigures:
    """Plans today's notices (call inside the organisation's scope). Running it twice for a day, or
    on the following days, plans nothing more for the same dispute or instalment."""
    figures = NoticeFigures()
    for dispute in disputes_to_tell().filter(closed_on__lte=today).order_by("closed_on", "id"):
        if not _silenced(dispute.debtor) and _plan_dispute_outcome(organisation, dispute, today):
            figures.disputes += 1
    upcoming = (
        Instalment.objects.filter(
            plan__status=PlanStatus.ACTIVE,
            status=InstalmentStatus.DUE,
            due_date__gt=today,
            due_date__lte=today + timedelta(days=INSTALMENT_LEAD_DAYS),
        )
        .select_related("plan", "plan__debtor")
        .order_by("due_date", "id")
    )
    for instalment in upcoming:
        if instalment.paid_amount >= instalment.amount or _silenced(instalment.plan.debtor):
            continue
        if _plan_instalment(organisation, instalment, today):
            figures.instalments += 1
    return figures


def _dispute_of(action: Action) -> Dispute | None:
    if not action.invoice_ids:
        return None
    return (
        Dispute.objects.filter(invoice_id=action.invoice_ids[0], status=DisputeStatus.CLOSED)
        .select_related("invoice", "credit_note")
        .order_by("-closed_on", "-id")
        .first()
    )


def _instalment_of(action: Action, today: date) -> tuple[PaymentPlan, Instalment] | None:
    """The instalment a reminder speaks of: the one of its date key; a fallback letter (which has no
    key: the constraint keeps it for the first row) speaks of the next one still due."""
    plan = PaymentPlan.objects.filter(debtor_id=action.debtor_id, status=PlanStatus.ACTIVE).first()
    if plan is None:
        return None
    instalments = plan.instalments.filter(status=InstalmentStatus.DUE, due_date__gte=today)
    if action.courtesy_due_date is not None:
        instalments = instalments.filter(due_date=action.courtesy_due_date)
    instalment = instalments.order_by("due_date").first()
    return (plan, instalment) if instalment is not None else None


def notice_stale(action: Action, today: date) -> str:
    """Why the notice must not leave any more ("" when it still must)."""
    if base_step(action.step) == DISPUTE_OUTCOME:
        dispute = _dispute_of(action)
        if dispute is None:
            return "no closed dispute on the invoice"
        if not dispute.debtor_to_tell:
            return "debtor already told the dispute's outcome"
        return ""
    if _instalment_of(action, today) is None:
        return "instalment no longer due"
    return ""


def notice_invoices(action: Action, today: date) -> list[Invoice]:
    """The invoices the notice lists: the disputed one, whatever is left of it (a cancelled invoice is
    still the one the debtor is told about); a plan's covered invoices still open."""
    if base_step(action.step) == DISPUTE_OUTCOME:
        return list(Invoice.objects.filter(pk__in=action.invoice_ids[:1]))
    found = _instalment_of(action, today)
    return _covered_open_invoices(found[0]) if found else []


def _outcome_text(dispute: Dispute, language: str) -> str:
    lang = "en" if language == "en" else "fr"
    french = lang == "fr"
    invoice = dispute.invoice
    credited = dispute.credit_note.amount if dispute.credit_note is not None else Decimal(0)
    values = {
        "number": invoice.number,
        "credited": format_money(credited, invoice.currency, french=french),
        "open": format_money(invoice.open_amount, invoice.currency, french=french),
    }
    settled = invoice.open_amount <= 0 or invoice.status != InvoiceStatus.OPEN
    outcome = _OUTCOME_TEXTS[lang].get(dispute.outcome, "")
    balance = _BALANCE_TEXTS[lang]["settled" if settled else "due"]
    return " ".join(text.format(**values) for text in (outcome, balance) if text)


def notice_context(
    action: Action, language: str, today: date, day: Callable[[date, str], str]
) -> dict[str, str]:
    """The notices' placeholders. Empty for other steps, and when the dispute or the instalment is
    not found (a preview of the text): the dispatcher never sends a notice without them
    (`notice_stale`)."""
    context = dict.fromkeys(
        (
            "dispute_invoice",
            "dispute_outcome_text",
            "instalment_number",
            "instalment_amount",
            "instalment_date",
            "plan_reference",
        ),
        "",
    )
    step = base_step(action.step)
    if step == DISPUTE_OUTCOME:
        dispute = _dispute_of(action)
        if dispute is not None:
            context["dispute_invoice"] = dispute.invoice.number
            context["dispute_outcome_text"] = _outcome_text(dispute, language)
    elif step == PLAN_INSTALMENT:
        found = _instalment_of(action, today)
        if found is not None:
            plan, instalment = found
            context["instalment_number"] = str(instalment.number)
            context["instalment_amount"] = format_money(
                instalment.amount - instalment.paid_amount, plan.currency, french=language != "en"
            )
            context["instalment_date"] = day(instalment.due_date, language)
            # The reference the debtor quotes on its transfer, so that the payment is matched to the plan.
            context["plan_reference"] = PLAN_REFERENCE.format(id=plan.pk)
    return context


def notice_sent(action: Action) -> None:
    """After a notice has left: its dispute no longer waits for an answer to the debtor. Never raises:
    the message is gone, whatever happens here (a person still sees the dispute as not told)."""
    if base_step(action.step) != DISPUTE_OUTCOME:
        return
    dispute = _dispute_of(action)
    if dispute is None or not dispute.debtor_to_tell:
        return
    try:
        dispute_debtor_told(dispute=dispute, channel=action.channel)
    except DisputeError:
        logger.exception("dispute %s: could not record that the debtor was told", dispute.pk)
