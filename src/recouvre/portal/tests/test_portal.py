"""The debtor's portal: a signed link opens one debtor's page at one creditor and nothing else; expired,
tampered and revoked links get a friendly refusal; the transfer page carries the debtor's RF reference
and an EPC QR code of exactly that payment; a promise made there pauses the reminders."""

import html
from datetime import date
from decimal import Decimal

import pytest
import segno
from django.core import signing
from django.core.cache import cache
from django_scopes import scope
from schwifty import IBAN
from segno import helpers as segno_helpers
from stdnum import iso11649

from recouvre.arrangements.models import Promise
from recouvre.ledger.models import Debtor
from recouvre.selfservice.domain.links import SALT, portal_links_revoke, portal_token
from recouvre.selfservice.domain.references import debtor_of_rf, rf_reference
from recouvre.selfservice.models import PortalVisit

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2026, 11, 23)
CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;amount\n"
    "P-1;411ALPHA;Alpha SARL;B2B;2026-09-01;2026-10-01;1200.00\n"
    "P-2;411ALPHA;;;2026-10-15;2026-12-15;300.50\n"
    "P-3;411BETA;Beta SAS;B2B;2026-09-01;2026-10-01;999.00\n"
)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("recouvre.portal.access.paris_today", lambda: TODAY)
    cache.clear()


@pytest.fixture
def books(organisation, import_csv):
    assert import_csv(organisation, CSV, today=TODAY).ok
    return organisation


def debtor(organisation, ref):
    with scope(organisation=organisation):
        return Debtor.objects.get(ref=ref)


def page(response):
    return html.unescape(response.content.decode())


def test_a_link_opens_its_debtors_account_and_nothing_else(client, books):
    alpha = debtor(books, "411ALPHA")
    response = client.get(f"/portal/{portal_token(alpha)}/")
    assert response.status_code == 200
    text = page(response)
    assert "Alpha SARL" in text
    assert "P-1" in text
    assert "P-2" in text
    assert "P-3" not in text  # Beta's invoice
    assert "Beta SAS" not in text
    assert "1 500,50" in text.replace("\u202f", " ").replace("\u00a0", " ")
    assert response["Referrer-Policy"] == "same-origin"
    with scope(organisation=books):
        visit = PortalVisit.objects.get()
    assert (visit.debtor_id, visit.action, visit.path) == (alpha.pk, "view", "/portal/<token>/")


def test_a_crafted_token_for_another_debtor_is_refused(client, books, other_organisation, import_csv):
    alpha = debtor(books, "411ALPHA")
    beta = debtor(books, "411BETA")
    token = portal_token(alpha)
    # Changing the debtor inside the payload breaks the signature.
    forged = signing.dumps(
        {"o": beta.organisation_id, "d": beta.pk, "k": 1}, salt="another salt", compress=True
    )
    assert client.get(f"/portal/{forged}/").status_code == 403
    assert client.get(f"/portal/{token[:-2]}xx/").status_code == 403
    # A well-signed token naming a debtor of another organisation does not open it either.
    mixed = signing.dumps({"o": other_organisation.pk, "d": alpha.pk, "k": 1}, salt=SALT, compress=True)
    response = client.get(f"/portal/{mixed}/")
    assert response.status_code == 403
    assert "Ce lien est incomplet ou a été modifié" in page(response)


def test_an_expired_link_is_refused_kindly(client, books, settings):
    alpha = debtor(books, "411ALPHA")
    settings.PORTAL_LINK_DAYS = 0
    response = client.get(f"/portal/{portal_token(alpha)}/")
    assert response.status_code == 410
    assert "Ce lien a expiré" in page(response)


def test_revoking_stops_every_link_sent_and_the_next_one_works(client, books):
    alpha = debtor(books, "411ALPHA")
    old = portal_token(alpha)
    with scope(organisation=books):
        portal_links_revoke(organisation=books, debtor=alpha, actor=None)
    response = client.get(f"/portal/{old}/")
    assert response.status_code == 403
    assert "désactivé" in page(response)
    assert client.get(f"/portal/{portal_token(alpha)}/").status_code == 200


def test_bad_links_from_one_address_are_slowed_down(client, books):
    for _ in range(20):
        assert client.get("/portal/not-a-token/").status_code == 403
    alpha = debtor(books, "411ALPHA")
    assert client.get(f"/portal/{portal_token(alpha)}/").status_code == 429


def test_the_rf_reference_is_valid_and_names_the_debtor() -> None:
    reference = rf_reference(4217)
    assert iso11649.is_valid(reference)
    assert reference.startswith("RF")
    assert debtor_of_rf(reference) == 4217
    assert debtor_of_rf("RF00000000042") is None  # wrong check digits


def test_the_transfer_page_has_the_rf_reference_and_the_epc_qr_code_of_that_payment(client, books):
    alpha = debtor(books, "411ALPHA")
    text = page(client.get(f"/portal/{portal_token(alpha)}/pay/"))
    reference = rf_reference(alpha.pk)
    assert reference in text
    assert "FR76 3000 6000 0112 3456 7890 189" in text
    # The QR code is exactly segno's EPC code for the overdue amount, the IBAN and the RF reference.
    src = text.split('class="qr"')[1].split('src="')[1].split('"')[0]

    expected = segno_helpers.make_epc_qr(
        name="Acme Industrie",
        iban="FR7630006000011234567890189",
        amount=Decimal("1200.00"),
        reference=reference,
        bic=str(IBAN("FR7630006000011234567890189").bic),
    )
    assert src == expected.png_data_uri(scale=5, border=4)
    assert isinstance(expected, segno.QRCode)


def test_a_promise_made_on_the_portal_is_recorded(client, books):
    alpha = debtor(books, "411ALPHA")
    token = portal_token(alpha)
    too_far = client.post(f"/portal/{token}/promise/", {"promised_date": "2027-03-01", "amount": "1200.00"})
    assert too_far.status_code == 400
    assert "échéancier" in page(too_far)
    too_much = client.post(f"/portal/{token}/promise/", {"promised_date": "2026-12-10", "amount": "5000.00"})
    assert too_much.status_code == 400
    response = client.post(f"/portal/{token}/promise/", {"promised_date": "2026-12-10", "amount": "1200.00"})
    assert response.status_code == 302
    with scope(organisation=books):
        promise = Promise.objects.get(debtor=alpha)
    assert (promise.promised_date, promise.amount, promise.made_on) == (
        date(2026, 12, 10),
        Decimal("1200.00"),
        TODAY,
    )
    assert "promesse de paiement est enregistrée" in page(client.get(response["Location"]))


def test_the_portal_speaks_the_debtors_language_or_the_one_asked(client, books):
    alpha = debtor(books, "411ALPHA")
    with scope(organisation=books):
        Debtor.objects.filter(pk=alpha.pk).update(language="en")
    token = portal_token(alpha)
    assert "Amount due" in page(client.get(f"/portal/{token}/")) or "Left to pay" in page(
        client.get(f"/portal/{token}/")
    )
    assert "Reste à payer" in page(client.get(f"/portal/{token}/?lang=fr"))


def test_the_link_in_a_message_opens_the_portal(books) -> None:
    from recouvre.dunning.domain.compose import portal_link

    alpha = debtor(books, "411ALPHA")
    assert portal_link(alpha).startswith("http")
    assert "/portal/" in portal_link(alpha)


def test_a_callback_request_becomes_a_call_task_with_the_number(client, books):
    from recouvre.dunning.models import Action

    alpha = debtor(books, "411ALPHA")
    token = portal_token(alpha)
    weekend = client.post(
        f"/portal/{token}/callback/", {"day": "2026-11-28", "slot": "14-17", "phone": "06 12 34 56 78"}
    )
    assert weekend.status_code == 400
    assert "du lundi au vendredi" in page(weekend)
    bad_phone = client.post(
        f"/portal/{token}/callback/", {"day": "2026-11-25", "slot": "14-17", "phone": "12"}
    )
    assert bad_phone.status_code == 400
    response = client.post(
        f"/portal/{token}/callback/", {"day": "2026-11-25", "slot": "14-17", "phone": "06 12 34 56 78"}
    )
    assert response.status_code == 302
    with scope(organisation=books):
        task = Action.objects.get(debtor=alpha, step="callback")
        assert alpha.contacts.filter(value="+33612345678").exists()
    assert (task.channel, task.status, task.scheduled_for, task.recipient) == (
        "call",
        "planned",
        date(2026, 11, 25),
        "+33612345678",
    )
    assert "14 h et 17 h" in task.tone


def test_contact_details_given_on_the_portal_are_added(client, books):
    alpha = debtor(books, "411ALPHA")
    token = portal_token(alpha)
    assert client.post(f"/portal/{token}/contact/", {"email": "", "phone": ""}).status_code == 400
    assert client.post(f"/portal/{token}/contact/", {"email": "pas-une-adresse"}).status_code == 400
    response = client.post(f"/portal/{token}/contact/", {"email": "compta@alpha.example", "phone": ""})
    assert response.status_code == 302
    with scope(organisation=books):
        assert alpha.contacts.filter(kind="email", value="compta@alpha.example").exists()


def test_the_budget_simulator_proposes_a_monthly_amount(client, books):
    alpha = debtor(books, "411ALPHA")
    text = page(client.get(f"/portal/{portal_token(alpha)}/budget/", {"income": "2000", "charges": "1400"}))
    # 1,500.50 owed; 195 a month → 8 months.
    assert "195,00" in text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "8 mois" in text


def test_the_collector_reads_the_callback_slot_in_french() -> None:
    from django.utils import translation

    from recouvre.backoffice.views.action_parts import reason_label

    with translation.override("fr"):
        label = reason_label("callback requested between 14:00 and 17:00 on +33612345678")
    assert label == "Rappel demandé par le débiteur sur le portail : entre 14 h et 17 h, au +33612345678."


def test_a_dispute_from_the_portal_with_its_document(client, books, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recouvre.disputes.models import Dispute

    settings.DATA_DIR = tmp_path
    alpha = debtor(books, "411ALPHA")
    token = portal_token(alpha)
    with scope(organisation=books):
        invoice = alpha.invoices.get(number="P-1")
    program = SimpleUploadedFile("facture.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 200, "application/pdf")
    refused = client.post(
        f"/portal/{token}/dispute/",
        {"invoice": invoice.pk, "reason": "quality", "comment": "Pièces abîmées", "document": program},
    )
    assert refused.status_code == 400
    with scope(organisation=books):
        assert not Dispute.objects.exists()  # nothing half-written
    pdf = SimpleUploadedFile(
        "photo.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf"
    )
    response = client.post(
        f"/portal/{token}/dispute/",
        {"invoice": invoice.pk, "reason": "quality", "comment": "Pièces abîmées", "document": pdf},
    )
    assert response.status_code == 302
    with scope(organisation=books):
        dispute = Dispute.objects.get(invoice=invoice)
        assert dispute.attachments.count() == 1
    assert (dispute.reason, dispute.source, dispute.status) == ("quality", "portal", "open")
    again = client.post(
        f"/portal/{token}/dispute/", {"invoice": invoice.pk, "reason": "price", "comment": "Encore"}
    )
    assert again.status_code == 400
    assert "déjà contestée" in page(again)
