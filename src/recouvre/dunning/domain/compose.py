"""What an action says: the placeholder values, the email or SMS, the letter. Reads the ledger for
one debtor; never sends anything."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from schwifty import IBAN

from recouvre.dunning.domain.profile import HISTORY, payer_profile
from recouvre.dunning.models import Action
from recouvre.kernel.money import format_money
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Debtor, Invoice
from recouvre.messaging.domain.placeholders import render, render_html
from recouvre.messaging.domain.template_defaults import postal_code
from recouvre.messaging.domain.templates import template_resolve
from recouvre.messaging.letters.content import LetterContent, LetterInvoice, LetterTotals, Party
from recouvre.messaging.transports.base import OutgoingMessage

FIXED_INDEMNITY = Decimal("40.00")  # per invoice, C. com. D441-5 (not for consumers)
FORMAL_NOTICE_DAYS = 8
PORTAL_SALT = "recouvre.portal"

_LABELS = {
    "fr": ("Facture", "Date", "Échéance", "Montant", "Reste dû", "Total"),
    "en": ("Invoice", "Date", "Due date", "Amount", "Open", "Total"),
}


@dataclass(frozen=True)
class Composed:
    """A message ready to leave, and its fingerprint (stored with it)."""

    subject: str
    body_text: str
    body_html: str
    sha256: str


def portal_link(debtor: Debtor) -> str:
    """A signed link to the debtor's portal (the portal checks the signature and its age)."""
    token = signing.dumps({"o": debtor.organisation_id, "d": debtor.id}, salt=PORTAL_SALT, compress=True)
    return f"{settings.BASE_URL}/portal/{token}/"


def message_id(action: Action) -> str:
    host = urlsplit(settings.BASE_URL).hostname or "recouvre.local"
    return f"<action-{action.id}.{action.organisation_id}@{host}>"


def debtor_profile(debtor: Debtor, today: date) -> str:
    settled = (
        Invoice.objects.filter(
            debtor=debtor, document_type=DocumentType.INVOICE, status=InvoiceStatus.PAID, paid_date__lte=today
        )
        .order_by("-due_date")
        .values_list("due_date", "paid_date")[: HISTORY * 2]
    )
    return payer_profile(list(settled), today)


def _french(language: str) -> bool:
    return language != "en"


def _day(day: date, language: str) -> str:
    return day.strftime("%d/%m/%Y") if _french(language) else day.isoformat()


def _table_text(invoices: list[Invoice], language: str) -> str:
    labels = _LABELS.get(language, _LABELS["fr"])
    french = _french(language)
    lines = [f"{labels[0]:<16} {labels[2]:<11} {labels[4]:>14}"]
    for invoice in invoices:
        money = format_money(invoice.open_amount, invoice.currency, french=french)
        lines.append(f"{invoice.number:<16} {_day(invoice.due_date, language):<11} {money:>14}")
    return "\n".join(lines)


def table_html(invoices: list[Invoice], language: str) -> str:
    labels = _LABELS.get(language, _LABELS["fr"])
    french = _french(language)
    head = "".join(
        f"<th style='text-align:left;padding:4px 8px'>{escape(label)}</th>" for label in labels[:5]
    )
    cell, right = "<td style='padding:4px 8px'>", "<td style='padding:4px 8px;text-align:right'>"

    def money(amount: Decimal, currency: str) -> str:
        return escape(format_money(amount, currency, french=french))

    rows = "".join(
        f"<tr>{cell}{escape(i.number)}</td>{cell}{_day(i.issue_date, language)}</td>"
        f"{cell}{_day(i.due_date, language)}</td>{right}{money(i.amount, i.currency)}</td>"
        f"{right}{money(i.open_amount, i.currency)}</td></tr>"
        for i in invoices
    )
    return (
        f"<table style='border-collapse:collapse'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _bic_of(iban: str) -> str:
    """The bank's BIC derived from the IBAN when the organisation did not give one."""
    try:
        bic = IBAN(iban).bic if iban else None
    except ValueError:
        return ""
    return str(bic) if bic else ""


def context_for(
    action: Action, debtor: Debtor, organisation: Any, invoices: list[Invoice], today: date
) -> dict[str, str]:
    language = debtor.language or "fr"
    french = _french(language)
    currency = invoices[0].currency if invoices else "EUR"
    total = sum((i.open_amount for i in invoices), Decimal("0"))
    oldest = min((i.due_date for i in invoices), default=today)
    claims_indemnity = debtor.debtor_type != "B2C"
    indemnity = FIXED_INDEMNITY * len(invoices) if claims_indemnity else Decimal("0")
    contact = debtor.contacts.filter(invalid_since__isnull=True).exclude(name="").first()
    iban = organisation.iban or ""
    return {
        "creditor_name": organisation.name,
        "creditor_email": organisation.email or settings.DEFAULT_FROM_EMAIL,
        "creditor_phone": str((organisation.settings or {}).get("phone", "")),
        "creditor_iban": " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)),
        "creditor_bic": organisation.bic or _bic_of(iban),
        "debtor_name": debtor.name,
        "debtor_ref": debtor.ref,
        "contact_name": contact.name if contact else "",
        "invoices_table": _table_text(invoices, language),
        "invoice_count": str(len(invoices)),
        "total_due": format_money(total, currency, french=french),
        "oldest_due_date": _day(oldest, language),
        "due_date": _day(action.courtesy_due_date or oldest, language),
        "days_overdue": str(max((today - oldest).days, 0)),
        "portal_link": portal_link(debtor),
        "payment_reference": f"{debtor.ref} {invoices[0].number}" if invoices else debtor.ref,
        "deadline_date": _day(today + timedelta(days=FORMAL_NOTICE_DAYS), language),
        "fixed_indemnity_total": format_money(indemnity, currency, french=french),
        # Penalties are computed to the cent by the French-law engine (issue 5); until then the
        # documents claim them in principle, never a made-up figure.
        "interest_total": "calculées au taux légal au jour du paiement"
        if french
        else "computed at the statutory rate on the day of payment",
        "total_claimed": format_money(total + indemnity, currency, french=french),
        "today": _day(today, language),
        "agent_name": str((organisation.settings or {}).get("signature", ""))
        or f"Service recouvrement, {organisation.name}",
    }


def compose_message(
    action: Action, debtor: Debtor, organisation: Any, invoices: list[Invoice], today: date
) -> Composed:
    """Subject and bodies from the template; raises messaging's PlaceholderError on a bad template.
    A step sent by post uses its paper text (`postal_code`: a reminder e-mail sent as a letter for a
    debtor without an e-mail address must not say "reply to this e-mail")."""

    postal = action.channel in ("letter", "registered_letter")
    template = template_resolve(
        organisation=organisation,
        code=postal_code(action.step) if postal else action.step,
        debtor_type=debtor.debtor_type,
        profile=debtor_profile(debtor, today),
        language=debtor.language or "fr",
    )
    context = context_for(action, debtor, organisation, invoices, today)
    if postal:
        # The letter's layout prints the invoices as a table of its own.
        context["invoices_table"] = ""
    subject = render(template.subject, context) if template.subject else ""
    text = render(template.body, context)
    html = ""
    if action.channel == "email":
        html = render_html(template.body, context, {"invoices_table": table_html(invoices, debtor.language)})
    digest = hashlib.sha256(json.dumps([subject, text, html], ensure_ascii=False).encode()).hexdigest()
    return Composed(subject, text, html, digest)


def outgoing(action: Action, organisation: Any, recipient: str, composed: Composed) -> OutgoingMessage:
    return OutgoingMessage(
        action_id=action.id,
        channel=action.channel,
        recipient=recipient,
        subject=composed.subject,
        body_text=composed.body_text,
        body_html=composed.body_html,
        sender_name=organisation.name,
        # The organisation's own sender (its settings page) only makes sense with a server allowed to
        # send for its domain; the project's address otherwise. Replies go to the creditor either way.
        sender_email=str((organisation.settings or {}).get("sender_email") or settings.DEFAULT_FROM_EMAIL),
        reply_to=organisation.email or "",
        message_id=message_id(action),
        headers=(("X-Recouvre-Action", str(action.id)),),
    )


def _party_lines(address: str, postcode: str, city: str, country: str) -> tuple[str, ...]:
    lines = [line.strip() for line in address.replace(" / ", "\n").splitlines() if line.strip()]
    lines.append(f"{postcode} {city}".strip())
    if country and country != "FR":
        lines.append(country)
    return tuple(line for line in lines if line)


# The closing formulas of French and English letters: the invoice table, the totals and the payment
# details go before them, as in a letter typed by hand.
_CLOSINGS = (
    "nous vous prions",
    "veuillez agréer",
    "je vous prie",
    "dans l'attente",
    "bien cordialement",
    "cordialement",
    "yours faithfully",
    "yours sincerely",
    "kind regards",
    "best regards",
    "we look forward",
)


def details_position(paragraphs: tuple[str, ...]) -> int | None:
    """Where the invoice table goes: after the paragraph that announces it ("ci-dessous", "below",
    a closing colon), else before the closing formula, else after the whole text (None)."""
    for index, paragraph in enumerate(paragraphs):
        text = paragraph.strip().lower()
        if "ci-dessous" in text or "below" in text or text.endswith(":"):
            return index + 1
    for index, paragraph in enumerate(paragraphs):
        if index and paragraph.strip().lower().startswith(_CLOSINGS):
            return index
    return None


def letter_content(
    action: Action,
    debtor: Debtor,
    organisation: Any,
    invoices: list[Invoice],
    composed: Composed,
    today: date,
) -> LetterContent:
    registered = action.channel == "registered_letter"
    claims = action.step in ("letter", "formal_notice") and debtor.debtor_type != "B2C"
    principal = sum((i.open_amount for i in invoices), Decimal("0"))
    indemnity = FIXED_INDEMNITY * len(invoices) if claims else None
    paragraphs = tuple(p.strip() for p in composed.body_text.split("\n\n") if p.strip())
    return LetterContent(
        action_id=action.id,
        language=debtor.language or "fr",
        creditor=Party(
            organisation.name,
            _party_lines(
                organisation.address, organisation.postcode, organisation.city, organisation.country
            ),
            siren=organisation.siren,
            email=organisation.email,
            phone=str((organisation.settings or {}).get("phone", "")),
        ),
        debtor=Party(
            debtor.name,
            _party_lines(debtor.address, debtor.postcode, debtor.city, debtor.country),
            siren=debtor.siren,
            vat_number=debtor.vat_number,
        ),
        place=organisation.city or "",
        letter_date=today,
        subject=composed.subject,
        paragraphs=paragraphs,
        invoices=tuple(
            LetterInvoice(i.number, i.issue_date, i.due_date, i.amount, i.open_amount) for i in invoices
        ),
        totals=LetterTotals(
            principal=principal,
            fixed_indemnity=indemnity,
            total=principal + indemnity if indemnity is not None else None,
        ),
        currency=invoices[0].currency if invoices else "EUR",
        reference=f"{debtor.ref}-{action.id}",
        iban=organisation.iban,
        bic=organisation.bic,
        portal_url=portal_link(debtor),
        registered=registered,
        deadline=today + timedelta(days=FORMAL_NOTICE_DAYS) if action.step == "formal_notice" else None,
        details_position=details_position(paragraphs),
    )
