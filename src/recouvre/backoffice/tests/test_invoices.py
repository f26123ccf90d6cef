"""The invoice page: details as of today, payments, disputes (closed by a manager), history."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.disputes.models import Dispute
from recouvre.ledger.models import Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
NBSP = "\xa0"


def invoice(organisation, number):
    with scope(organisation=organisation):
        return Invoice.objects.get(number=number)


def page_of(client, inv):
    return client.get(reverse("backoffice:invoice-detail", args=[inv.pk]))


def test_the_invoice_page_shows_its_details_ages_and_penalties(signed_in, books):
    inv = invoice(books, "F-2026-001")
    response = page_of(signed_in, inv)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Facture F-2026-001" in page
    assert "Dupont Industrie" in page
    assert f"1{NBSP}234,56{NBSP}€" in page
    assert "53 jours de retard" in page
    # 53 days at the H2 2026 rate (one period), its interest and the 40 EUR shown apart.
    assert "Détail du calcul des intérêts" in page
    assert "indemnité 40,00" in page
    assert "<td>01/10/2026</td><td>22/11/2026</td>" in page
    assert "Aucun PDF importé" in page
    assert "30/09/2031" in page  # limitation date
    assert f'href="{reverse("backoffice:debtor-detail", args=[inv.debtor_id])}"' in page


def test_a_paid_invoice_shows_its_payment_and_history(signed_in, books):
    page = page_of(signed_in, invoice(books, "F-2026-003")).content.decode()
    assert "Soldée" in page
    assert "15/07/2026" in page
    assert "jours de retard" not in page


def test_a_disputed_invoice_lists_its_dispute_and_a_manager_closes_it_once(signed_in, books):
    inv = invoice(books, "F-2026-004")
    page = page_of(signed_in, inv).content.decode()
    assert "en litige" in page
    assert "Clore le litige" in page
    close = reverse("backoffice:invoice-dispute-close", args=[inv.pk])
    refused = signed_in.post(close, {"outcome": "credit_note"})
    assert refused.status_code == 400
    assert "Indiquez le montant de l&#x27;avoir." in refused.content.decode()
    for _ in range(2):
        assert signed_in.post(close, {"outcome": "upheld"}).status_code == 302
    with scope(organisation=books):
        [dispute] = Dispute.objects.filter(invoice=inv)
    assert (dispute.status, dispute.outcome) == ("closed", "upheld")
    history = page_of(signed_in, inv).content.decode().split('class="timeline"')[1]
    assert "Litige clos" in history


def test_an_agent_cannot_close_a_dispute(client, make_user, books):
    client.force_login(make_user(books, "agent"))
    inv = invoice(books, "F-2026-004")
    assert "Clore le litige" not in page_of(client, inv).content.decode()
    assert (
        client.post(
            reverse("backoffice:invoice-dispute-close", args=[inv.pk]), {"outcome": "upheld"}
        ).status_code
        == 403
    )


def test_another_organisations_invoice_is_a_404(signed_in, books, other_organisation):
    foreign = invoice(other_organisation, "S-777")
    assert page_of(signed_in, foreign).status_code == 404
    assert (
        signed_in.post(
            reverse("backoffice:invoice-dispute-close", args=[foreign.pk]), {"outcome": "upheld"}
        ).status_code
        == 404
    )


def test_viewing_an_invoice_is_audited(signed_in, books, manager):
    inv = invoice(books, "F-2026-001")
    page_of(signed_in, inv)
    with scope(organisation=books):
        entry = AuditEntry.objects.get(action="view", object_type="invoice")
    assert (entry.object_id, entry.debtor_id, entry.actor) == (str(inv.pk), inv.debtor_id, manager)
