"""A debtor's journey in a real browser: the reminder e-mail arrives at a local SMTP server, its portal
link opens the account, the transfer page's QR code decodes to the EPC payload of that very payment
(beneficiary, IBAN, amount, RF reference), a promise is made; the next cycle then sends nothing."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope
from stdnum import iso11649

from recouvre.arrangements.models import Promise
from recouvre.dunning.tests.support import actions, line, load, run_day, use_smtp
from recouvre.ledger.models import Debtor

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def portal_today(monkeypatch):
    monkeypatch.setattr("recouvre.portal.access.paris_today", lambda: TODAY)


def decode_qr(png: bytes) -> str:
    import cv2
    import numpy

    image = cv2.imdecode(numpy.frombuffer(png, numpy.uint8), cv2.IMREAD_GRAYSCALE)
    # A white margin and a larger picture, as a phone camera would see it.
    image = cv2.copyMakeBorder(image, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    image = cv2.resize(image, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return str(text)


def test_from_the_email_to_a_promise(
    page, live_server, settings, organisation, import_csv, smtp_server, tmp_path
):
    settings.BASE_URL = live_server.url
    settings.DATA_DIR = tmp_path
    use_smtp(organisation, smtp_server)
    load(
        import_csv,
        organisation,
        line(
            "F-77", "411OMEGA", date(2026, 11, 18), "1234.56", name="Omega SARL", email="compta@omega.example"
        ),
        today=TODAY,
    )
    run_day(organisation, TODAY)
    [received] = smtp_server.messages
    body = received.message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/portal/\S+/", body).group(0)

    page.goto(link)
    assert page.get_by_role("heading", name="Bonjour Omega SARL").is_visible()
    assert page.get_by_text("F-77").is_visible()

    page.get_by_role("button", name="Payer par virement").click()
    with scope(organisation=organisation):
        debtor = Debtor.objects.get(ref="411OMEGA")
    reference = page.locator(".reference").inner_text().strip()
    assert iso11649.is_valid(reference)
    payload = decode_qr(page.locator(".qr img").screenshot()).splitlines()
    # EPC069-12: service tag, version, encoding, SCT, BIC, name, IBAN, amount, purpose, reference.
    assert payload[0:2] == ["BCD", "002"]
    assert payload[3] == "SCT"
    assert payload[5] == "Acme Industrie"
    assert payload[6] == "FR7630006000011234567890189"
    assert payload[7] == "EUR1234.56"
    assert payload[9] == reference
    assert str(debtor.pk) in reference

    page.get_by_role("link", name="Votre compte").click()
    page.get_by_role("button", name="Promettre une date de paiement").click()
    page.get_by_label("Date à laquelle vous paierez").fill("2026-12-04")
    page.get_by_label("Montant").fill("1234.56")
    page.get_by_role("button", name="Enregistrer ma promesse").click()
    assert page.get_by_text("votre promesse de paiement est enregistrée").is_visible()
    with scope(organisation=organisation):
        promise = Promise.objects.get(debtor=debtor)
    assert (promise.amount, promise.promised_date) == (Decimal("1234.56"), date(2026, 12, 4))

    # The engine obeys: days that would have brought reminder 2 bring nothing while the promise holds.
    sent_before = len(actions(organisation, channel="email"))
    for day in (date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)):
        run_day(organisation, day)
    assert len(actions(organisation, channel="email")) == sent_before
    assert len(smtp_server.messages) == 1


def test_a_plan_signed_with_the_emailed_code_and_a_dispute(
    page, live_server, settings, organisation, import_csv, smtp_server, tmp_path
):
    """Propose a plan within the rules, sign it with the code the local SMTP server received, dispute
    another invoice; the engine then sends no reminder (the plan pauses the ladder)."""
    from recouvre.arrangements.models import PaymentPlan
    from recouvre.disputes.models import Dispute

    settings.BASE_URL = live_server.url
    settings.DATA_DIR = tmp_path
    use_smtp(organisation, smtp_server)
    load(
        import_csv,
        organisation,
        line("G-1", "411SIGMA", date(2026, 11, 18), "900.00", name="Sigma SAS", email="dg@sigma.example"),
        line("G-2", "411SIGMA", date(2026, 11, 10), "150.00", name="Sigma SAS", email="dg@sigma.example"),
        today=TODAY,
    )
    run_day(organisation, TODAY)
    body = smtp_server.messages[0].message.get_body(preferencelist=("plain",)).get_content()
    page.goto(re.search(r"https?://\S+/portal/\S+/", body).group(0))

    page.get_by_role("link", name="Contester une facture").click()
    page.get_by_label("Facture contestée").select_option(label="G-2")
    page.get_by_label("Motif").select_option("quantity")
    page.get_by_label("Expliquez-nous").fill("Livraison incomplète : 2 cartons sur 3.")
    page.get_by_role("button", name="Envoyer ma contestation").click()
    assert page.get_by_text("Votre contestation est enregistrée").is_visible()

    page.get_by_role("link", name="Payer en plusieurs fois (échéancier)").click()
    page.get_by_label("Nombre d'échéances").fill("3")
    page.get_by_label("Première échéance").fill("2026-12-01")
    page.get_by_role("button", name="Proposer cet échéancier").click()
    page.get_by_role("button", name="Envoyer le code").click()
    code_mail = smtp_server.messages[-1].message
    assert code_mail["To"] == "dg@sigma.example"
    code = re.search(r"\b(\d{6})\b", code_mail.get_body(preferencelist=("plain",)).get_content()).group(1)
    page.get_by_label("Vos nom et prénom (et votre qualité pour une société)").fill("Paul Sigma, gérant")
    page.get_by_label("Code reçu").fill(code)
    page.get_by_role("button", name="Signer l'échéancier").click()
    assert page.get_by_text("votre échéancier est signé").is_visible()

    with scope(organisation=organisation):
        plan = PaymentPlan.objects.get(debtor__ref="411SIGMA")
        dispute = Dispute.objects.get(invoice__number="G-2")
    assert plan.status == "active"
    assert (dispute.source, dispute.status) == ("portal", "open")
    # G-2 is disputed, so the plan covers G-1 only: 900.00 in three.
    assert plan.total == Decimal("900.00")
    reminders = len(actions(organisation, channel="email", case__isnull=False))
    for day in (date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)):
        run_day(organisation, day)
    assert len(actions(organisation, channel="email", case__isnull=False)) == reminders
