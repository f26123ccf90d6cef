"""The compliance rules one by one, on plain text: what passes, what each finding catches."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from recouvre.law.domain.compliance import L111_8_PARAGRAPHS, Document, document_check

B2B_LETTER = (
    "Madame, Monsieur,\n\nLes factures ci-dessous restent impayées. Des pénalités de retard au taux de "
    "12,15 % l'an courent depuis l'échéance, et une indemnité forfaitaire de 40 € par facture est due.\n\n"
    "Veuillez agréer, Madame, Monsieur, nos salutations."
)


def codes(**fields) -> set[str]:
    base = {"channel": "letter", "step": "letter", "debtor_type": "B2B", "language": "fr", "text": B2B_LETTER}
    return {finding.code for finding in document_check(Document(**{**base, **fields}))}


def test_a_b2b_letter_with_rate_and_indemnity_passes() -> None:
    assert codes() == set()


def test_a_b2b_letter_without_rate_or_indemnity_fails() -> None:
    assert codes(text="Merci de régler les factures ci-dessous.") == {
        "penalty_rate_missing",
        "indemnity_missing",
    }
    assert codes(text=B2B_LETTER.replace("12,15 %", "un taux")) == {"penalty_rate_missing"}
    assert codes(text=B2B_LETTER.replace("40 €", "quarante")) == {"indemnity_missing"}


@pytest.mark.parametrize("forty", ["40 €", "40,00 €", "40\u00a0€", "EUR 40", "€40.00", "40 EUR", "40 euros"])
def test_the_indemnity_is_recognised_however_it_is_written(forty: str) -> None:
    assert codes(text=B2B_LETTER.replace("40 €", forty)) == set()


def test_a_reminder_email_need_not_state_the_mentions() -> None:
    assert codes(channel="email", step="reminder_1", text="Petit rappel : la facture est échue.") == set()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Un huissier passera chez vous.", "court_imitation"),
        ("Commandement de payer.", "court_imitation"),
        ("AU NOM DU PEUPLE FRANÇAIS", "court_imitation"),
        ("A bailiff will call at your premises.", "court_imitation"),
        ("Nous procéderons à la saisie de vos biens.", "unlawful_threat"),
        ("Nous saisirons votre salaire.", "unlawful_threat"),
        ("Vous serez inscrit au fichier de la Banque de France.", "unlawful_threat"),
        ("Nous porterons plainte : poursuites pénales.", "unlawful_threat"),
        ("Nous informerons votre employeur.", "unlawful_threat"),
        ("We will seize your assets.", "unlawful_threat"),
    ],
)
def test_wording_that_imitates_a_court_or_threatens_fails(text: str, code: str) -> None:
    assert code in codes(channel="email", step="reminder_2", text=text)


def test_filing_a_claim_with_a_court_is_a_lawful_next_step() -> None:
    text = "À défaut, nous saisirons la juridiction compétente par voie de requête en injonction de payer."
    assert codes(channel="email", step="reminder_2", text=text) == set()


def test_no_fee_may_be_claimed_from_a_consumer() -> None:
    consumer = {"channel": "letter", "step": "letter", "debtor_type": "B2C"}
    assert codes(**consumer, text="Merci de régler 100 €.") == set()
    assert codes(**consumer, text="Des frais de dossier de 15 € s'ajoutent.") == {"consumer_fees"}
    assert codes(**consumer, text="Indemnité forfaitaire : 40 €.") == {"consumer_fees"}
    assert codes(**consumer, text="Please add recovery costs of EUR 40.") == {"consumer_fees"}
    # Said in order to deny them, the words are fine.
    assert codes(**consumer, text="Aucun frais de recouvrement ne vous est réclamé.") == set()
    assert codes(**consumer, text="No recovery costs are charged to you.") == set()
    # Figures claimed count even when the text is silent.
    assert codes(**consumer, text="Merci.", fees_claimed=Decimal("40.00")) == {"consumer_fees"}


def test_a_formal_notice_states_the_words_the_total_and_the_deadline() -> None:
    text = "Mise en demeure. Nous vous mettons en demeure de payer 1 240,00 € au plus tard le 01/12/2026."
    notice = {
        "channel": "registered_letter",
        "step": "formal_notice",
        "debtor_type": "B2C",
        "total_text": "1 240,00 €",
        "deadline_texts": ("01/12/2026", "1 décembre 2026"),
    }
    assert codes(**notice, text=text) == set()
    assert codes(**notice, text=text.replace("1 240,00 €", "la somme due")) == {"formal_notice_total"}
    assert codes(**notice, text=text.replace(" au plus tard le 01/12/2026", "")) == {"formal_notice_deadline"}
    assert codes(
        **notice, text=text.replace("Mise en demeure. Nous vous mettons en demeure", "Nous demandons")
    ) == {"formal_notice_words"}


def _agency_letter(**changes: str) -> str:
    parts = {
        "agency": "Recouvra SAS, 12 quai Perrache, 69002 Lyon, exerce une activité de recouvrement amiable.",
        "creditor": "Créancier : Fonderies du Rhône SA, 4 rue des Forges, 69007 Lyon.",
        "amount": "Montant dû : principal 1 000,00 € ; pénalités de retard 12,00 € ; autres accessoires 40,00 €.",
        "payment": "Virement sur FR76 3000 6000 0112 3456 7890 189.",
        "l111_8": " ".join(L111_8_PARAGRAPHS),
        "mentions": "Pénalités de retard au taux de 12,15 % ; indemnité forfaitaire de 40 € par facture.",
    }
    parts.update(changes)
    return "\n".join(parts.values())


AGENCY = {
    "agency_name": "Recouvra SAS",
    "agency_address": "12 quai Perrache",
    "creditor_name": "Fonderies du Rhône SA",
    "creditor_address": "4 rue des Forges",
    "payment_texts": ("FR76 3000 6000 0112 3456 7890 189",),
}


def test_an_agency_letter_carries_the_five_r124_4_items() -> None:
    assert codes(**AGENCY, text=_agency_letter()) == set()
    assert codes(**AGENCY, text=_agency_letter(agency="Recouvra SAS.")) == {"agency_identity"}
    assert codes(**AGENCY, text=_agency_letter(creditor="")) == {"agency_creditor"}
    assert codes(**AGENCY, text=_agency_letter(amount="Montant dû : 1 052,00 €.")) >= {"agency_amount"}
    assert codes(**AGENCY, text=_agency_letter(payment="")) == {"agency_payment"}
    assert codes(**AGENCY, text=_agency_letter(l111_8=L111_8_PARAGRAPHS[0])) == {"agency_l111_8"}


def test_the_quoted_statute_is_not_a_fee_claimed_from_a_consumer() -> None:
    consumer = _agency_letter(
        mentions="", amount="Montant dû : principal 1 000,00 € ; intérêts 0,00 € ; autres accessoires 0,00 €."
    )
    assert codes(**AGENCY, debtor_type="B2C", step="reminder_1_letter", text=consumer) == set()


def test_an_unreplaced_placeholder_is_caught() -> None:
    assert "placeholder_left" in codes(channel="email", step="reminder_1", text="Bonjour {{ contact_name }}")


def test_dates_in_the_document_are_not_mistaken_for_anything() -> None:
    assert codes(channel="email", step="reminder_1", text=f"Échue le {date(2026, 10, 1):%d/%m/%Y}.") == set()
