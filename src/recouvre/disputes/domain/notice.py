"""The message that tells a debtor how its dispute ended. PURE: no Django.

The texts are written out in each language the debtor can have (like the packaged reminders of
messaging/defaults), not translated from the back office's catalogue: what the debtor reads must not
change because someone edited a label. A language without texts falls back to French."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from recouvre.kernel.money import format_money

LANGUAGES = ("fr", "en")
FALLBACK = "fr"
UPHELD, CREDIT_NOTE, INVOICE_CANCELLED, WITHDRAWN = "upheld", "credit_note", "invoice_cancelled", "withdrawn"
OUTCOMES = (UPHELD, CREDIT_NOTE, INVOICE_CANCELLED, WITHDRAWN)
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class OutcomeFacts:
    language: str
    outcome: str
    invoice_number: str
    invoice_date: date
    opened_on: date
    creditor: str
    currency: str
    open_amount: Decimal  # what is left to pay on the invoice after the closing
    credited: Decimal | None = None  # the credit note's amount, for credit_note and invoice_cancelled


SUBJECTS = {
    "fr": {
        UPHELD: "Votre contestation de la facture {number} : la facture est maintenue",
        CREDIT_NOTE: "Votre contestation de la facture {number} : un avoir de {credited}",
        INVOICE_CANCELLED: "Votre contestation de la facture {number} : la facture est annulée",
        WITHDRAWN: "Retrait de votre contestation de la facture {number}",
    },
    "en": {
        UPHELD: "Your dispute of invoice {number}: the invoice stands",
        CREDIT_NOTE: "Your dispute of invoice {number}: a credit note of {credited}",
        INVOICE_CANCELLED: "Your dispute of invoice {number}: the invoice is cancelled",
        WITHDRAWN: "Withdrawal of your dispute of invoice {number}",
    },
}
OPENINGS = {
    "fr": "Bonjour,\n\nVous avez contesté le {opened} notre facture {number} du {issued}.",
    "en": "Hello,\n\nOn {opened} you disputed our invoice {number} of {issued}.",
}
OUTCOME_LINES = {
    "fr": {
        UPHELD: "Après examen, votre contestation n'a pas été retenue : la facture reste due.",
        CREDIT_NOTE: "Après examen, nous avons établi un avoir de {credited} imputé sur cette facture.",
        INVOICE_CANCELLED: "Après examen, nous avons annulé cette facture par un avoir de {credited}.",
        WITHDRAWN: "Vous nous avez fait savoir que vous retiriez votre contestation : la facture reste due.",
    },
    "en": {
        UPHELD: "Having looked into it, we did not accept your dispute: the invoice remains due.",
        CREDIT_NOTE: "Having looked into it, we issued a credit note of {credited} against this invoice.",
        INVOICE_CANCELLED: "Having looked into it, we cancelled this invoice by a credit note of {credited}.",
        WITHDRAWN: "You let us know that you withdraw your dispute: the invoice remains due.",
    },
}
BALANCE_LINES = {
    "fr": {
        "due": "Le montant restant dû est de {open}. Nos relances de paiement reprennent pour ce montant.",
        "settled": "Vous ne nous devez plus rien au titre de cette facture.",
    },
    "en": {
        "due": "The amount still due is {open}. Our payment reminders resume for this amount.",
        "settled": "You owe us nothing more on this invoice.",
    },
}
CLOSINGS = {
    "fr": "Nous restons à votre disposition pour toute question.\n\nCordialement,\n{creditor}",
    "en": "Please let us know if you have any question.\n\nKind regards,\n{creditor}",
}


def _day(value: date, language: str) -> str:
    if language == "en":
        return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"
    return value.strftime("%d/%m/%Y")


def outcome_notice(facts: OutcomeFacts) -> tuple[str, str]:
    """(subject, body) telling the debtor the outcome, in its language."""
    if facts.outcome not in OUTCOMES:
        raise ValueError(f"{facts.outcome!r} is not a dispute outcome")
    language = facts.language if facts.language in LANGUAGES else FALLBACK
    french = language == "fr"
    values = {
        "number": facts.invoice_number,
        "opened": _day(facts.opened_on, language),
        "issued": _day(facts.invoice_date, language),
        "credited": format_money(facts.credited or Decimal(0), facts.currency, french=french),
        "open": format_money(facts.open_amount, facts.currency, french=french),
        "creditor": facts.creditor,
    }
    balance = "due" if facts.open_amount > 0 else "settled"
    paragraphs = [
        OPENINGS[language],
        OUTCOME_LINES[language][facts.outcome],
        BALANCE_LINES[language][balance],
        CLOSINGS[language],
    ]
    body = "\n\n".join(paragraph.format(**values) for paragraph in paragraphs)
    return SUBJECTS[language][facts.outcome].format(**values), body
