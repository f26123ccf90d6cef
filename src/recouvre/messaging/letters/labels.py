"""The fixed wording of a letter, per language, and the way it writes dates.

A plain dict rather than gettext: rendering stays a pure function of its input (no active
translation, no settings), and a letter in English is produced in a French-speaking request
without switching the locale of the thread."""

from __future__ import annotations

from datetime import date

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "registered": "Lettre recommandée avec accusé de réception",
        "siren": "SIREN",
        "vat": "TVA intracommunautaire",
        "email": "Courriel",
        "phone": "Tél.",
        "our_reference": "Nos références",
        "your_siren": "Votre SIREN",
        "subject": "Objet",
        "invoices": "Factures concernées",
        "invoice_number": "Facture n°",
        "issue_date": "Date",
        "due_date": "Échéance",
        "amount": "Montant TTC",
        "open_amount": "Reste dû",
        "principal": "Principal restant dû",
        "interest": "Pénalités de retard",
        "fixed_indemnity": "Indemnité forfaitaire pour frais de recouvrement",
        "total": "Total réclamé",
        "deadline": "À régler au plus tard le",
        "payment": "Règlement par virement",
        "holder": "Bénéficiaire",
        "iban": "IBAN",
        "bic": "BIC",
        "transfer_reference": "Référence à rappeler",
        "qr": "Scannez pour payer avec votre application bancaire",
        "portal": "Consultez vos factures et réglez en ligne",
        "page": "page",
        "interest_short": "Pénalités",
        "indemnity_short": "Indemnité",
        "agency_heading": "Mentions légales (article R124-4 du Code des procédures civiles d'exécution)",
        "agency_activity": "exerce une activité de recouvrement amiable de créances pour le compte d'autrui.",
        "agency_creditor": "Créancier pour le compte duquel nous agissons",
        "agency_claim": "Fondement de la créance : factures impayées détaillées ci-dessus. Montant dû",
        "agency_other": "autres accessoires",
        "agency_first_letter": "Premier courrier adressé",
        "agency_l111_8": "Article L111-8 du Code des procédures civiles d'exécution, alinéas 2 et 3",
    },
    "en": {
        "registered": "Registered letter with acknowledgement of receipt",
        "siren": "SIREN",
        "vat": "VAT number",
        "email": "Email",
        "phone": "Tel.",
        "our_reference": "Our reference",
        "your_siren": "Your SIREN",
        "subject": "Subject",
        "invoices": "Invoices concerned",
        "invoice_number": "Invoice no.",
        "issue_date": "Date",
        "due_date": "Due date",
        "amount": "Amount incl. VAT",
        "open_amount": "Amount due",
        "principal": "Outstanding principal",
        "interest": "Late-payment interest",
        "fixed_indemnity": "Fixed compensation for recovery costs",
        "total": "Total claimed",
        "deadline": "To be paid no later than",
        "payment": "Payment by bank transfer",
        "holder": "Beneficiary",
        "iban": "IBAN",
        "bic": "BIC",
        "transfer_reference": "Reference to quote",
        "qr": "Scan to pay with your banking app",
        "portal": "View your invoices and pay online",
        "page": "page",
        "interest_short": "Interest",
        "indemnity_short": "Indemnity",
        "agency_heading": "Legal notice (article R124-4 of the French Code of Civil Enforcement Procedures)",
        "agency_activity": "carries on amicable debt collection on behalf of others"
        " (exerce une activité de recouvrement amiable).",
        "agency_creditor": "Creditor on whose behalf we act",
        "agency_claim": "Basis of the claim: the unpaid invoices listed above. Amount due",
        "agency_other": "other sums",
        "agency_first_letter": "First letter sent",
        "agency_l111_8": "Article L111-8 of the Code des procédures civiles d'exécution,"
        " paragraphs 2 and 3 (French text)",
    },
}

MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
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
    ),
}


def language_of(code: str) -> str:
    """Anything but English is written in French: the product's letters are French by default."""
    return "en" if (code or "").lower().startswith("en") else "fr"


def labels_for(language: str) -> dict[str, str]:
    return LABELS[language_of(language)]


def long_date(day: date, language: str) -> str:
    """`1er décembre 2026` (French writes the ordinal for the first of the month), `1 December 2026`."""
    lang = language_of(language)
    month = MONTHS[lang][day.month - 1]
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def short_date(day: date, language: str) -> str:
    """Table cells: `22/11/2026` in French; `22 Nov 2026` in English, where 11/22 and 22/11 both exist."""
    if language_of(language) == "fr":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return f"{day.day} {MONTHS['en'][day.month - 1][:3]} {day.year}"


def place_and_date(place: str, day: date, language: str) -> str:
    """`Lyon, le 22 novembre 2026` / `Lyon, 22 November 2026`."""
    written = long_date(day, language)
    place = place.strip()
    if language_of(language) == "fr":
        return f"{place}, le {written}" if place else f"Le {written}"
    return f"{place}, {written}" if place else written
