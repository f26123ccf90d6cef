"""The invoice page's "Prescription" block: the date and what it runs from, the interruptions (a
withdrawn one struck through with its reason), a manager records or withdraws one, refusals beside
their fields. TODAY is 2026-11-22; F-2026-001 (B2B) was issued 2026-08-01, due 2026-09-30."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.ledger.models import Invoice, LimitationInterruption
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def invoice(organisation, number):
    with scope(organisation=organisation):
        return Invoice.objects.get(number=number)


def page(client, inv):
    response = client.get(reverse("backoffice:invoice-detail", args=[inv.pk]))
    assert response.status_code == 200
    return response.content.decode()


def block(html):
    """The Prescription section alone."""
    return html.split('id="limitation-title"')[1].split("</section>")[0]


def record(client, inv, **data):
    return client.post(reverse("backoffice:invoice-limitation-record", args=[inv.pk]), data)


def interruptions(organisation, inv):
    with scope(organisation=organisation):
        return list(LimitationInterruption.objects.filter(invoice=inv))


def test_the_block_says_where_the_date_comes_from_and_that_messages_do_not_interrupt(signed_in, books):
    section = block(page(signed_in, invoice(books, "F-2026-001")))
    assert "<strong>30/09/2031</strong>" in section
    assert "délai courant depuis le 30/09/2026 (Échéance)." in section
    notice = "Les relances et les mises en demeure n’interrompent pas la prescription."  # noqa: RUF001 (the page's apostrophe)
    assert notice in section
    assert "Aucune interruption enregistrée." in section
    assert "Enregistrer une interruption" in section


def test_a_manager_records_a_court_claim_and_the_date_moves(signed_in, books):
    inv = invoice(books, "F-2026-001")
    response = record(signed_in, inv, kind="court_claim", date="2026-11-02", reference="RG 26/00042")
    assert response.status_code == 302
    assert response["Location"].endswith("#limitation-title")
    [row] = interruptions(books, inv)
    assert (row.kind, str(row.date), row.reference) == ("court_claim", "2026-11-02", "RG 26/00042")
    section = block(page(signed_in, inv))
    assert "<strong>02/11/2031</strong>" in section
    assert "depuis le 02/11/2026 (Demande en justice, réf. RG 26/00042)." in section
    with scope(organisation=books):
        assert Event.objects.filter(invoice=inv, kind="limitation_interrupted").count() == 1


def test_refusals_are_shown_beside_the_date(signed_in, books):
    inv = invoice(books, "F-2026-001")
    future = record(signed_in, inv, kind="acknowledgement", date="2026-11-23", reference="")
    assert future.status_code == 400
    html = future.content.decode()
    assert 'id="id_date_error"' in html
    assert "La date ne peut pas être dans le futur" in html.split('id="id_date_error"')[1][:200]
    before_issue = record(signed_in, inv, kind="acknowledgement", date="2026-07-31", reference="")
    assert before_issue.status_code == 400
    assert "précède l&#x27;émission de la facture (01/08/2026)" in before_issue.content.decode()
    missing = record(signed_in, inv, kind="", date="", reference="")
    assert missing.status_code == 400
    assert interruptions(books, inv) == []


def test_a_manager_withdraws_one_with_a_reason_and_it_stays_struck_through(signed_in, books):
    inv = invoice(books, "F-2026-001")
    record(signed_in, inv, kind="enforcement", date="2026-10-15", reference="Saisie 12")
    [row] = interruptions(books, inv)
    url = reverse("backoffice:invoice-limitation-withdraw", args=[inv.pk, row.pk])
    field = f"withdraw-{row.pk}-reason"
    refused = signed_in.post(url, {field: ""})
    assert refused.status_code == 400
    assert f'id="id_{field}_error"' in refused.content.decode()
    assert signed_in.post(url, {field: "Saisie sur une autre facture"}).status_code == 302
    section = block(page(signed_in, inv))
    assert "<strong>30/09/2031</strong>" in section  # back to the due date
    assert "(Échéance)" in section
    assert "<del>Saisie 12</del>" in section
    assert "Saisie sur une autre facture" in section
    row.refresh_from_db()
    assert row.withdrawn_reason == "Saisie sur une autre facture"


def test_an_agent_sees_the_block_but_can_neither_record_nor_withdraw(client, make_user, books, manager):
    inv = invoice(books, "F-2026-001")
    client.force_login(manager)
    record(client, inv, kind="acknowledgement", date="2026-11-01", reference="Courriel")
    [row] = interruptions(books, inv)
    client.force_login(make_user(books, "agent"))
    section = block(page(client, inv))
    assert "Reconnaissance de dette" in section
    assert "Enregistrer une interruption" not in section
    assert "Retirer" not in section
    assert record(client, inv, kind="court_claim", date="2026-11-02").status_code == 403
    withdraw = reverse("backoffice:invoice-limitation-withdraw", args=[inv.pk, row.pk])
    assert client.post(withdraw, {f"withdraw-{row.pk}-reason": "x"}).status_code == 403
    assert len(interruptions(books, inv)) == 1


def test_a_paid_invoice_has_no_limitation_date(signed_in, books):
    section = block(page(signed_in, invoice(books, "F-2026-003")))
    assert "Pas de date de prescription" in section


def test_another_organisations_interruption_is_not_found(signed_in, books, other_organisation):
    inv = invoice(books, "F-2026-001")
    record(signed_in, inv, kind="acknowledgement", date="2026-11-01", reference="")
    [row] = interruptions(books, inv)
    secret = invoice(other_organisation, "S-777")
    # The other organisation's invoice, and this organisation's interruption under it: both 404.
    assert record(signed_in, secret, kind="acknowledgement", date="2026-11-01").status_code == 404
    mismatch = reverse(
        "backoffice:invoice-limitation-withdraw", args=[invoice(books, "F-2026-002").pk, row.pk]
    )
    assert signed_in.post(mismatch, {f"withdraw-{row.pk}-reason": "x"}).status_code == 404
