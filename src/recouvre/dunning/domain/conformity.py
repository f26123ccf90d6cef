"""Runs the compliance check (`law.domain.compliance`) on a document exactly as it would leave: the
e-mail's text and HTML, the SMS, the letter's printed text (taken from the HTML the PDF is made of).
The dispatcher calls it before anything is stored or handed over; the approval preview and the
template editor call it to say in advance what would be refused."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

from recouvre.dunning.domain.claim import claim_of
from recouvre.dunning.domain.compose import FORMAL_NOTICE_DAYS, Composed, portal_link
from recouvre.dunning.domain.parties import parties_of
from recouvre.dunning.models import Action
from recouvre.kernel.money import format_money
from recouvre.law.domain.compliance import Document, Finding, document_check
from recouvre.ledger.models import Debtor, Invoice
from recouvre.messaging.letters.content import LetterContent
from recouvre.messaging.letters.labels import long_date
from recouvre.messaging.letters.render import group_iban, letter_html

_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|tr|h[1-6]|li|table)>", re.IGNORECASE)
_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def visible_text(markup: str) -> str:
    """The text a reader sees in an HTML document (the letter, an e-mail's HTML part)."""
    markup = re.sub(r"<(title|style|script)[^>]*>.*?</\1>", " ", markup, flags=re.IGNORECASE | re.DOTALL)
    markup = _CELL_END.sub(" ", _BLOCK_END.sub("\n", markup))
    return html.unescape(_TAG.sub("", markup))


def _deadlines(day: date | None, language: str) -> tuple[str, ...]:
    if day is None:
        return ()
    return (day.strftime("%d/%m/%Y"), day.isoformat(), long_date(day, language))


def action_document_check(
    action: Action,
    debtor: Debtor,
    organisation: Any,
    invoices: list[Invoice],
    composed: Composed,
    today: date,
    content: LetterContent | None = None,
) -> tuple[Finding, ...]:
    language = debtor.language or "fr"
    french = language != "en"
    currency = invoices[0].currency if invoices else "EUR"
    if content is not None:
        text = visible_text(letter_html(content))
        totals = content.totals
        fees = totals.fixed_indemnity or 0
        total = totals.total if totals.total is not None else totals.principal
        deadline = content.deadline
    else:
        text = "\n\n".join((composed.subject, composed.body_text, visible_text(composed.body_html)))
        claim = composed.claim or claim_of(invoices, debtor.debtor_type, today)
        fees = 0
        total = claim.total if debtor.debtor_type != "B2C" else claim.principal
        deadline = today + timedelta(days=FORMAL_NOTICE_DAYS) if action.step == "formal_notice" else None
    parties = parties_of(organisation)
    agency = bool(parties.agency_name) and action.channel != "sms"
    return document_check(
        Document(
            channel=action.channel,
            step=action.step,
            debtor_type=debtor.debtor_type,
            language=language,
            text=text,
            fees_claimed=fees,
            total_text=format_money(total, currency, french=french) if action.step == "formal_notice" else "",
            deadline_texts=_deadlines(deadline, language),
            agency_name=parties.agency_name if agency else "",
            agency_address=parties.agency_address_lines[0] if parties.agency_address_lines else "",
            creditor_name=parties.creditor_name,
            creditor_address=parties.creditor_address_lines[0] if parties.creditor_address_lines else "",
            payment_texts=tuple(t for t in (group_iban(organisation.iban or ""), portal_link(debtor)) if t),
        )
    )


def findings_text(findings: tuple[Finding, ...]) -> str:
    """One line for the action's reason and the log: the codes, then the details."""
    return "compliance check failed: " + "; ".join(f"{f.code} ({f.detail})" for f in findings)
