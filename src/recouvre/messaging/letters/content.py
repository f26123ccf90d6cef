"""What a letter says, as plain frozen data: the dispatcher builds it from the ledger and the
rendered template; `letters.render` lays it out as a PDF. Nothing here touches the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Party:
    name: str
    address_lines: tuple[str, ...]  # street lines, then "postcode city", then the country when abroad
    siren: str = ""
    vat_number: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class LetterInvoice:
    number: str
    issue_date: date
    due_date: date
    amount: Decimal
    open_amount: Decimal
    # What the letter claims on this invoice beyond its principal, to the day of the letter; None
    # when the letter claims no penalties (earlier steps, consumers).
    interest: Decimal | None = None
    indemnity: Decimal | None = None


@dataclass(frozen=True)
class AgencyMentions:
    """CPCE R124-4: a collection agency writing for a creditor says who it is and what it does, who
    the creditor is, and reproduces L111-8; later letters recall the first one (reference and date)."""

    agency_name: str
    agency_address_lines: tuple[str, ...]
    creditor_name: str
    creditor_address_lines: tuple[str, ...]
    first_letter: str = ""  # "ACME-12 du 03/10/2026"; empty on the first letter itself


@dataclass(frozen=True)
class LetterTotals:
    principal: Decimal
    # Late-payment interest and the fixed indemnity claimed, when the letter claims them (B2B letter
    # and formal notice); None when the letter only mentions them.
    interest: Decimal | None = None
    fixed_indemnity: Decimal | None = None
    total: Decimal | None = None


@dataclass(frozen=True)
class LetterContent:
    action_id: int
    language: str  # "fr" or "en"
    creditor: Party
    debtor: Party
    place: str  # the creditor's city, for "Lyon, le 22 novembre 2026"
    letter_date: date
    subject: str
    paragraphs: tuple[str, ...]  # the rendered template body, one entry per paragraph
    invoices: tuple[LetterInvoice, ...]
    totals: LetterTotals
    currency: str = "EUR"
    reference: str = ""  # our reference, printed and used as the transfer reference
    iban: str = ""
    bic: str = ""
    portal_url: str = ""
    registered: bool = False  # a registered letter with acknowledgement of receipt (LRAR)
    deadline: date | None = None  # "8 days to pay" for a formal notice
    signature: str = ""
    # Where the invoice table, totals and payment details go: after this many paragraphs, so that
    # a template's closing formula ("Veuillez agréer...") can follow them; None: after all of them.
    details_position: int | None = None
    # How the claimed figures were computed (rate, period, rate table, unpublished half-years).
    basis: str = ""
    agency: AgencyMentions | None = None
