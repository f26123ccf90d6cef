"""What an action says: the placeholder values, the email or SMS, the letter. Reads the ledger for
one debtor; never sends anything."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from schwifty import IBAN

from recouvre.dunning.domain.claim import Claim, basis_note, claim_of, rate_text
from recouvre.dunning.domain.notices import notice_context
from recouvre.dunning.domain.parties import address_lines, agency_block, parties_of
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
from recouvre.selfservice.domain.links import portal_url

FORMAL_NOTICE_DAYS = 8

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
    # The figures the message was composed with: the letter's layout and the compliance check read
    # them rather than computing the penalties again.
    claim: Claim | None = field(default=None, compare=False)


def portal_link(debtor: Debtor) -> str:
    """A signed, expiring link to the debtor's portal (`selfservice.domain.links`)."""
    return portal_url(debtor)


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


def claims_penalties(action: Action, debtor: Debtor) -> bool:
    """The firm letter and the formal notice claim the penalties and indemnity in figures; earlier
    steps only remind the debtor of them. A consumer owes neither (interest runs from the notice)."""
    return action.step in ("letter", "formal_notice") and debtor.debtor_type != "B2C"


def context_for(
    action: Action,
    debtor: Debtor,
    organisation: Any,
    invoices: list[Invoice],
    today: date,
    claim: Claim | None = None,
) -> dict[str, str]:
    language = debtor.language or "fr"
    french = _french(language)
    currency = invoices[0].currency if invoices else "EUR"
    claim = claim or claim_of(invoices, debtor.debtor_type, today)
    oldest = min((i.due_date for i in invoices), default=today)
    contact = debtor.contacts.filter(invalid_since__isnull=True).exclude(name="").first()
    iban = organisation.iban or ""
    parties = parties_of(organisation)
    interest = format_money(claim.interest, currency, french=french)
    if claim.missing:
        interest += (
            " (plus les périodes au taux légal non chiffrées)"
            if french
            else " (plus unfigured periods at the statutory rate)"
        )
    context = {
        "creditor_name": parties.creditor_name,
        "agency_name": parties.agency_name,
        "creditor_email": organisation.email or settings.DEFAULT_FROM_EMAIL,
        "creditor_phone": str((organisation.settings or {}).get("phone", "")),
        "creditor_iban": " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)),
        "creditor_bic": organisation.bic or _bic_of(iban),
        "debtor_name": debtor.name,
        "debtor_ref": debtor.ref,
        "contact_name": contact.name if contact else "",
        "invoices_table": _table_text(invoices, language),
        "invoice_count": str(len(invoices)),
        "total_due": format_money(claim.principal, currency, french=french),
        "oldest_due_date": _day(oldest, language),
        "due_date": _day(action.courtesy_due_date or oldest, language),
        "days_overdue": str(max((today - oldest).days, 0)),
        "portal_link": portal_link(debtor),
        "payment_reference": f"{debtor.ref} {invoices[0].number}" if invoices else debtor.ref,
        "deadline_date": _day(today + timedelta(days=FORMAL_NOTICE_DAYS), language),
        "fixed_indemnity_total": format_money(claim.indemnity, currency, french=french),
        "interest_total": interest,
        "penalty_rate": rate_text(claim, language),
        "total_claimed": format_money(claim.total, currency, french=french),
        "today": _day(today, language),
        "agent_name": str((organisation.settings or {}).get("signature", ""))
        or f"Service recouvrement, {organisation.name}",
        **notice_context(action, language, today, _day),
    }
    if context["plan_reference"]:
        # A plan's instalment is paid against the plan: its reference lets the payment be matched to it.
        context["payment_reference"] = context["plan_reference"]
    return context


def agency_footer(organisation: Any, language: str) -> str:
    """An agency's e-mail says who writes and for whom (the letters carry the full R124-4 mentions)."""
    if not organisation.is_agency:
        return ""
    parties = parties_of(organisation)
    agency = ", ".join((parties.agency_name, *parties.agency_address_lines))
    creditor = ", ".join((parties.creditor_name, *parties.creditor_address_lines))
    if language == "en":
        return f"{agency} carries on amicable debt collection on behalf of {creditor}."
    return f"{agency} exerce une activité de recouvrement amiable de créances pour le compte de {creditor}."


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
    claim = claim_of(invoices, debtor.debtor_type, today)
    context = context_for(action, debtor, organisation, invoices, today, claim)
    if postal:
        # The letter's layout prints the invoices as a table of its own.
        context["invoices_table"] = ""
    subject = render(template.subject, context) if template.subject else ""
    text = render(template.body, context)
    html = ""
    if action.channel == "email":
        html = render_html(template.body, context, {"invoices_table": table_html(invoices, debtor.language)})
        footer = agency_footer(organisation, debtor.language or "fr")
        if footer:
            text = f"{text.rstrip()}\n\n{footer}\n"
            html += f"<p style='font-size:12px;color:#555'>{escape(footer)}</p>"
    digest = hashlib.sha256(json.dumps([subject, text, html], ensure_ascii=False).encode()).hexdigest()
    return Composed(subject, text, html, digest, claim)


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
    language = debtor.language or "fr"
    claims = claims_penalties(action, debtor)
    claim = composed.claim or claim_of(invoices, debtor.debtor_type, today)
    lines = {line.invoice.pk: line for line in claim.invoices}
    paragraphs = tuple(p.strip() for p in composed.body_text.split("\n\n") if p.strip())
    return LetterContent(
        action_id=action.id,
        language=language,
        creditor=Party(
            organisation.name,
            address_lines(
                organisation.address, organisation.postcode, organisation.city, organisation.country
            ),
            siren=organisation.siren,
            email=organisation.email,
            phone=str((organisation.settings or {}).get("phone", "")),
        ),
        debtor=Party(
            debtor.name,
            address_lines(debtor.address, debtor.postcode, debtor.city, debtor.country),
            siren=debtor.siren,
            vat_number=debtor.vat_number,
        ),
        place=organisation.city or "",
        letter_date=today,
        subject=composed.subject,
        paragraphs=paragraphs,
        invoices=tuple(
            LetterInvoice(
                i.number,
                i.issue_date,
                i.due_date,
                i.amount,
                i.open_amount,
                interest=lines[i.pk].interest if claims else None,
                indemnity=lines[i.pk].indemnity if claims else None,
            )
            for i in invoices
        ),
        totals=_totals(claim, claims),
        currency=invoices[0].currency if invoices else "EUR",
        reference=f"{debtor.ref}-{action.id}",
        iban=organisation.iban,
        bic=organisation.bic,
        portal_url=portal_link(debtor),
        registered=registered,
        deadline=today + timedelta(days=FORMAL_NOTICE_DAYS) if action.step == "formal_notice" else None,
        details_position=details_position(paragraphs),
        basis=basis_note(claim, today, language) if claims else "",
        agency=agency_block(organisation, debtor, language, action.id),
    )


def _totals(claim: Claim, claims: bool) -> LetterTotals:
    if not claims:
        return LetterTotals(principal=claim.principal)
    return LetterTotals(
        principal=claim.principal, interest=claim.interest, fixed_indemnity=claim.indemnity, total=claim.total
    )
