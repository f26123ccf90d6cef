"""GET /invoices/{number}: the prescription date is the one invoices_as_of computes, so a recorded
interruption moves it and a withdrawn one stops moving it (french-law.md § Limitation)."""

from datetime import date

import pytest
from django_scopes import scope

from recouvre.ledger.domain.limitation import limitation_interruption_record, limitation_interruption_withdraw
from recouvre.ledger.models import Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_an_interruption_moves_the_prescription_date(portfolio, api, organisation):
    before = api.get("/invoices/B-1", date="2026-11-22").json()
    assert before["prescription_date"] == "2031-07-01"  # B2B: five years from the due date
    with scope(organisation=organisation):
        interruption = limitation_interruption_record(
            organisation=organisation,
            invoice=Invoice.objects.get(number="B-1"),
            kind="court_claim",
            on=date(2026, 10, 5),
            today=date(2026, 11, 22),
            actor=None,
            reference="RG 26/00001",
        )
    assert api.get("/invoices/B-1", date="2026-11-22").json()["prescription_date"] == "2031-10-05"
    # Read as of a day before the claim, the date had not moved yet.
    assert api.get("/invoices/B-1", date="2026-10-04").json()["prescription_date"] == "2031-07-01"
    with scope(organisation=organisation):
        limitation_interruption_withdraw(
            organisation=organisation, interruption=interruption, reason="Erreur de facture", actor=None
        )
    assert api.get("/invoices/B-1", date="2026-11-22").json()["prescription_date"] == "2031-07-01"
