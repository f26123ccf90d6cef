"""A one-off message a person sends from the debtor page, from one of the scenario's texts.

It is an Action outside any case, planned for today: the dispatcher sends it like every other
message, checking the debtor again at the moment of sending (do not contact, insolvency, contact
day, contact caps, what is still overdue) and falling back (a bounced email becomes a letter) in the
same way. What it refuses up front is what would make it wait silently or fail for sure: nobody to
send it to, nothing overdue to claim, a promise to pay running, a text that does not fit the debtor.

A second click does not send it twice: while a one-off of the same text on the same channel is
planned or has gone today for the debtor, asking again returns that one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.audit.domain.services import audit_record
from recouvre.dunning.domain.compose import debtor_profile
from recouvre.dunning.domain.facts import withheld_invoice_ids
from recouvre.dunning.domain.scenario import EMAIL, LETTER, SMS
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.ledger.enums import ContactKind, DocumentType, InvoiceStatus
from recouvre.ledger.models import Debtor, Invoice
from recouvre.messaging.domain.template_defaults import postal_code
from recouvre.messaging.domain.templates import template_resolve
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind


@dataclass(frozen=True)
class OneOffChoice:
    key: str  # what a form posts: "<code>:<channel>"
    code: str
    channel: str
    label: Any


# The texts a person may send on their own. Formal notices are left out: they go through approval.
CHOICES: tuple[OneOffChoice, ...] = (
    OneOffChoice("reminder_1:email", "reminder_1", EMAIL, gettext_lazy("Relance 1 par e-mail")),
    OneOffChoice("reminder_2:email", "reminder_2", EMAIL, gettext_lazy("Relance 2 par e-mail")),
    OneOffChoice("sms:sms", "sms", SMS, gettext_lazy("SMS de relance")),
    OneOffChoice("reminder_1:letter", "reminder_1", LETTER, gettext_lazy("Relance 1 par courrier")),
    OneOffChoice("reminder_2:letter", "reminder_2", LETTER, gettext_lazy("Relance 2 par courrier")),
    OneOffChoice("letter:letter", "letter", LETTER, gettext_lazy("Lettre de relance ferme")),
)
BY_KEY = {choice.key: choice for choice in CHOICES}
# Statuses of a one-off that a second request must not duplicate.
_LIVE = (
    ActionStatus.PLANNED,
    ActionStatus.CLAIMED,
    ActionStatus.SENDING,
    ActionStatus.DISPATCHED,
    ActionStatus.UNKNOWN,
)


class OneOffError(ValueError):
    """Refused, with a sentence for the person (French source string, translated)."""


def _reachable(debtor: Debtor, channel: str) -> bool:
    contacts = debtor.contacts.filter(invalid_since__isnull=True)
    if channel == EMAIL:
        return contacts.filter(kind=ContactKind.EMAIL).exists()
    if channel == SMS:
        return contacts.filter(kind=ContactKind.PHONE, is_mobile=True).exists()
    return bool(debtor.address and debtor.city)


def _claimable(debtor: Debtor, today: date) -> list[Invoice]:
    overdue = list(
        Invoice.objects.filter(
            debtor=debtor,
            document_type=DocumentType.INVOICE,
            status=InvoiceStatus.OPEN,
            open_amount__gt=0,
            due_date__lt=today,
        ).order_by("due_date", "number")
    )
    withheld = withheld_invoice_ids(today, debtor.pk)
    return [i for i in overdue if i.pk not in withheld]


def _check(debtor: Debtor, choice: OneOffChoice, organisation: Any, today: date) -> list[Invoice]:
    if debtor.do_not_contact or debtor.redacted_at:
        raise OneOffError(_("Ce débiteur ne doit pas être contacté."))
    if debtor.insolvency_since:
        raise OneOffError(_("Ce débiteur est en procédure collective : aucune relance ne peut partir."))
    if not _reachable(debtor, choice.channel):
        raise OneOffError(
            {
                EMAIL: _("Aucune adresse e-mail valide pour ce débiteur."),
                SMS: _("Aucun numéro de mobile valide pour ce débiteur."),
            }.get(choice.channel, _("Adresse postale incomplète pour ce débiteur."))
        )
    promise = Promise.objects.filter(debtor=debtor, status=PromiseStatus.OPEN, made_on__lte=today).first()
    if promise is not None and today <= promise.window_end:
        raise OneOffError(
            _("Une promesse de paiement court jusqu'au %(day)s : aucune relance avant cette date.")
            % {"day": promise.window_end.strftime("%d/%m/%Y")}
        )
    invoices = _claimable(debtor, today)
    if not invoices:
        raise OneOffError(_("Aucune facture échue à réclamer (hors litiges et suspensions)."))
    code = postal_code(choice.code) if choice.channel == LETTER else choice.code
    try:
        template_resolve(
            organisation=organisation,
            code=code,
            debtor_type=debtor.debtor_type,
            profile=debtor_profile(debtor, today),
            language=debtor.language or "fr",
        )
    except (LookupError, ValueError):
        raise OneOffError(_("Aucun texte de ce message ne convient à ce débiteur.")) from None
    return invoices


def message_oneoff_plan(
    *, organisation: Any, debtor: Debtor, key: str, today: date, actor: Any
) -> tuple[Action, bool]:
    """Plans the message for today's dispatch. Returns (action, created): created is False when the
    same one-off was already asked for today (a second click)."""
    choice = BY_KEY.get(key)
    if choice is None:
        raise OneOffError(_("Message inconnu."))
    with transaction.atomic():
        # Two clicks at once: the second waits here, then finds the first one's action.
        Debtor.objects.select_for_update().filter(pk=debtor.pk).values_list("pk", flat=True).first()
        existing = Action.objects.filter(
            debtor=debtor,
            case__isnull=True,
            courtesy_due_date__isnull=True,
            fallback_of__isnull=True,
            step=choice.code,
            channel=choice.channel,
            scheduled_for=today,
            status__in=_LIVE,
        ).first()
        if existing is not None:
            return existing, False
        invoices = _check(debtor, choice, organisation, today)
        action = Action.objects.create(
            organisation=organisation,
            debtor=debtor,
            case=None,
            step=choice.code,
            channel=choice.channel,
            status=ActionStatus.PLANNED,
            scheduled_for=today,
            invoice_ids=[i.pk for i in invoices],
            invoice_numbers=[i.number for i in invoices],
            amount_due=sum((i.open_amount for i in invoices), Decimal("0")),
            currency=invoices[0].currency,
        )
        event_record(
            organisation=organisation,
            debtor_id=debtor.pk,
            kind=EventKind.MESSAGE_PLANNED,
            actor=actor,
            summary=f"Message ponctuel programmé : {choice.code} ({action.get_channel_display()})",
            data={
                "action_id": action.pk,
                "step": choice.code,
                "channel": choice.channel,
                "invoices": action.invoice_numbers,
            },
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="create",
            object_type="action",
            object_id=action.pk,
            debtor_id=debtor.pk,
            changes={"step": choice.code, "channel": choice.channel, "one_off": True},
        )
    return action, True
