"""The message telling the debtor how its dispute ended, in French and in English."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from recouvre.disputes.domain.notice import OutcomeFacts, outcome_notice

pytestmark = pytest.mark.unit

NBSP = "\u00a0"


def _facts(**changes):
    values = {
        "language": "fr",
        "outcome": "upheld",
        "invoice_number": "F-2026-004",
        "invoice_date": date(2026, 9, 1),
        "opened_on": date(2026, 10, 5),
        "creditor": "Acme Industrie",
        "currency": "EUR",
        "open_amount": Decimal("1234.56"),
        "credited": None,
    }
    return OutcomeFacts(**(values | changes))


def test_upheld_in_french_says_the_invoice_remains_due_and_reminders_resume():
    subject, body = outcome_notice(_facts())
    assert subject == "Votre contestation de la facture F-2026-004 : la facture est maintenue"
    assert "Vous avez contesté le 05/10/2026 notre facture F-2026-004 du 01/09/2026." in body
    assert "votre contestation n'a pas été retenue : la facture reste due." in body
    assert f"Le montant restant dû est de 1{NBSP}234,56{NBSP}€. Nos relances de paiement reprennent" in body
    assert body.endswith("Cordialement,\nAcme Industrie")


def test_upheld_in_english():
    subject, body = outcome_notice(_facts(language="en"))
    assert subject == "Your dispute of invoice F-2026-004: the invoice stands"
    assert "On 5 October 2026 you disputed our invoice F-2026-004 of 1 September 2026." in body
    assert "we did not accept your dispute: the invoice remains due." in body
    assert f"The amount still due is 1,234.56{NBSP}€. Our payment reminders resume" in body
    assert body.endswith("Kind regards,\nAcme Industrie")


def test_a_credit_note_gives_its_amount_and_what_is_left():
    facts = _facts(outcome="credit_note", credited=Decimal("200.00"), open_amount=Decimal("1034.56"))
    subject, body = outcome_notice(facts)
    assert subject == f"Votre contestation de la facture F-2026-004 : un avoir de 200,00{NBSP}€"
    assert f"nous avons établi un avoir de 200,00{NBSP}€ imputé sur cette facture" in body
    assert f"1{NBSP}034,56{NBSP}€" in body
    subject, body = outcome_notice(replace(facts, language="en"))
    assert subject == f"Your dispute of invoice F-2026-004: a credit note of 200.00{NBSP}€"
    assert f"we issued a credit note of 200.00{NBSP}€ against this invoice" in body


def test_a_cancelled_invoice_leaves_nothing_to_pay():
    facts = _facts(outcome="invoice_cancelled", credited=Decimal("1234.56"), open_amount=Decimal("0.00"))
    subject, body = outcome_notice(facts)
    assert subject.endswith("la facture est annulée")
    assert "Vous ne nous devez plus rien au titre de cette facture." in body
    assert "relances" not in body
    _subject, body = outcome_notice(replace(facts, language="en"))
    assert "You owe us nothing more on this invoice." in body


def test_withdrawn_in_both_languages():
    subject, body = outcome_notice(_facts(outcome="withdrawn"))
    assert subject == "Retrait de votre contestation de la facture F-2026-004"
    assert "vous retiriez votre contestation : la facture reste due" in body
    subject, body = outcome_notice(_facts(outcome="withdrawn", language="en"))
    assert subject == "Withdrawal of your dispute of invoice F-2026-004"
    assert "you withdraw your dispute: the invoice remains due" in body


def test_another_language_falls_back_to_french_and_a_bad_outcome_is_refused():
    assert outcome_notice(_facts(language="de")) == outcome_notice(_facts())
    with pytest.raises(ValueError, match="not a dispute outcome"):
        outcome_notice(_facts(outcome="lost"))
