"""The debtor page's promises and payment plans: the kept rate, the promise and the plan in force
with its instalments, the survey answers, and the signed plan's PDF for the organisation only."""

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.arrangements.domain.plans import plan_propose, plan_sign
from recouvre.arrangements.domain.services import promise_add
from recouvre.arrangements.models import Instalment, Promise
from recouvre.audit.models import AuditEntry
from recouvre.ledger.models import Debtor, Invoice
from recouvre.selfservice.domain.survey import survey_answer
from recouvre.testing.fixtures import TODAY

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def dupont(books, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with scope(organisation=books):
        return Debtor.objects.get(ref="411DUPONT")


def resolved_promises(organisation, debtor, statuses):
    with scope(organisation=organisation):
        for n, status in enumerate(statuses):
            made_on = TODAY - timedelta(days=90 - 10 * n)
            promise = promise_add(
                organisation=organisation,
                debtor=debtor,
                amount=Decimal("50.00"),
                promised_date=made_on + timedelta(days=3),
                made_on=made_on,
                actor=None,
            )
            Promise.objects.filter(pk=promise.pk).update(
                status=status, resolved_on=made_on + timedelta(days=6)
            )


def signed_plan(organisation, debtor):
    with scope(organisation=organisation):
        invoices = list(Invoice.objects.filter(debtor=debtor, status="open", document_type="invoice"))
        plan = plan_propose(
            organisation=organisation,
            debtor=debtor,
            invoices=invoices,
            count=3,
            frequency="monthly",
            first_date=date(2026, 11, 1),
            today=date(2026, 10, 25),
            source="agent",
            actor=None,
        )
        assert plan.status == "proposed"
        plan = plan_sign(plan=plan, today=date(2026, 10, 26), actor=None, signature_text="Jean Dupont")
        assert plan.status == "active"
        assert plan.signed_document
        first = Instalment.objects.get(plan=plan, number=1)
        Instalment.objects.filter(pk=first.pk).update(
            status="paid", paid_amount=first.amount, paid_on=date(2026, 11, 2)
        )
        return plan


def page_text(client, debtor):
    response = client.get(reverse("backoffice:debtor-detail", args=[debtor.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode()).replace("\u202f", " ").replace("\u00a0", " ")


def test_the_section_shows_the_rate_the_promise_the_plan_and_the_answers(signed_in, books, dupont):
    resolved_promises(books, dupont, ["kept", "broken", "kept", "kept", "cancelled"])
    plan = signed_plan(books, dupont)
    with scope(organisation=books):
        promise_add(
            organisation=books,
            debtor=dupont,
            amount=Decimal("120.00"),
            promised_date=date(2026, 12, 5),
            made_on=TODAY,
            actor=None,
        )
        survey_answer(organisation=books, debtor=dupont, case_id=7, score=9, comment="Très correct")
    page = page_text(signed_in, dupont)
    text = page[page.index('id="arrangements-title"') : page.index('id="payments-title"')]
    assert "3 promesses tenues sur 4" in text
    assert "Promesse en cours : 120,00 € le 05/12/2026" in text
    assert "Échéancier : En cours" in text
    # The first instalment is paid; the second, due on 1 December, is next; none is late on 22 November.
    assert text.count("Payée") == 1
    assert text.count("À payer") == 2
    assert "Prochaine échéance" in text
    assert "le 01/12/2026" in text
    assert "en retard" not in text
    assert reverse("backoffice:debtor-plan-pdf", args=[dupont.pk, plan.pk]) in text
    assert "9/10" in text
    assert "« Très correct »" in text


def test_without_history_the_section_says_so(signed_in, books, dupont):
    text = page_text(signed_in, dupont)
    assert "Aucune promesse arrivée à échéance." in text
    assert "Aucun échéancier en cours." in text


def test_one_kept_promise_is_said_in_the_singular(signed_in, books, dupont):
    resolved_promises(books, dupont, ["kept"])
    assert "1 promesse tenue sur 1" in page_text(signed_in, dupont)


def test_the_signed_pdf_is_served_to_the_organisation_and_the_look_recorded(signed_in, books, dupont):
    plan = signed_plan(books, dupont)
    response = signed_in.get(reverse("backoffice:debtor-plan-pdf", args=[dupont.pk, plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    with scope(organisation=books):
        assert AuditEntry.objects.filter(object_type="payment_plan_document", object_id=plan.pk).exists()
    # The plan's number under another debtor is not found.
    with scope(organisation=books):
        martin = Debtor.objects.get(ref="411MARTIN")
    assert signed_in.get(reverse("backoffice:debtor-plan-pdf", args=[martin.pk, plan.pk])).status_code == 404


def test_another_organisation_gets_a_404_for_the_pdf(client, books, dupont, other_organisation, make_user):
    plan = signed_plan(books, dupont)
    client.force_login(make_user(other_organisation, "manager"))
    assert client.get(reverse("backoffice:debtor-plan-pdf", args=[dupont.pk, plan.pk])).status_code == 404


def test_a_plan_not_signed_has_no_pdf(signed_in, books, dupont):
    with scope(organisation=books):
        invoices = list(Invoice.objects.filter(debtor=dupont, status="open", document_type="invoice"))
        plan = plan_propose(
            organisation=books,
            debtor=dupont,
            invoices=invoices,
            count=3,
            frequency="monthly",
            first_date=date(2026, 12, 1),
            today=TODAY,
            source="agent",
            actor=None,
        )
    assert signed_in.get(reverse("backoffice:debtor-plan-pdf", args=[dupont.pk, plan.pk])).status_code == 404
    assert "Échéancier : À signer" in page_text(signed_in, dupont)


def test_a_manager_revokes_the_portal_links_and_sees_the_visits(signed_in, books, client, make_user):
    from django.test import Client

    from recouvre.selfservice.domain.links import portal_token

    with scope(organisation=books):
        debtor = Debtor.objects.get(ref="411DUPONT")
    token = portal_token(debtor)
    assert Client().get(f"/portal/{token}/").status_code == 200
    page = signed_in.get(f"/debtors/{debtor.pk}/").content.decode()
    assert "Désactiver les liens du portail envoyés" in page
    assert "— view" in page  # the visit just made
    response = signed_in.post(reverse("backoffice:debtor-portal-revoke", args=[debtor.pk]))
    assert response.status_code == 302
    assert Client().get(f"/portal/{token}/").status_code == 403
    client.force_login(make_user(books, "agent"))
    assert client.post(reverse("backoffice:debtor-portal-revoke", args=[debtor.pk])).status_code == 403
