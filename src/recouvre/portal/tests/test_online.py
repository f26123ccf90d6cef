"""Paying online from the portal against a fake Mollie: the start URL sends the debtor to the
checkout; Mollie's webhook (an id, nothing more) makes the product ask Mollie, and only a `paid`
answer records money, once; the return page tells where the payment stands; without an API key the
feature is off, and a key Mollie refuses gives the debtor a clear page and records nothing."""

import html
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django_scopes import scope, scopes_disabled

from recouvre.ledger.enums import PaymentSource
from recouvre.ledger.models import Debtor, Invoice, Payment
from recouvre.selfservice.domain.links import portal_token
from recouvre.selfservice.domain.online_payments import online_payment_enabled
from recouvre.selfservice.models import OnlinePayment, PortalVisit
from recouvre.testing.fake_mollie import FakeMollie

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2026, 11, 23)
CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;amount\n"
    "P-1;411ALPHA;Alpha SARL;B2B;2026-09-01;2026-10-01;100.00\n"
    "P-2;411ALPHA;;;2026-10-15;2026-12-15;300.50\n"
    "P-0;411ALPHA;;;2026-08-01;2026-09-01;40.00\n"
)
WEBHOOK = "/portal/webhooks/mollie/"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("recouvre.portal.access.paris_today", lambda: TODAY)
    monkeypatch.delenv("RECOUVRE_MOLLIE_API_KEY", raising=False)
    monkeypatch.delenv("RECOUVRE_MOLLIE_BASE_URL", raising=False)
    cache.clear()


@pytest.fixture
def mollie():
    with FakeMollie() as server:
        yield server


def connect(organisation, mollie, api_key=None):
    organisation.settings = {
        **organisation.settings,
        "payments": {"provider": "mollie", "api_key": api_key or mollie.api_key, "base_url": mollie.base_url},
    }
    organisation.save(update_fields=["settings"])


@pytest.fixture
def books(organisation, import_csv, mollie):
    assert import_csv(organisation, CSV, today=TODAY).ok
    connect(organisation, mollie)
    return organisation


@pytest.fixture
def token(books):
    with scope(organisation=books):
        return portal_token(Debtor.objects.get(ref="411ALPHA"))


def page(response):
    return html.unescape(response.content.decode()).replace("\u202f", " ").replace("\u00a0", " ")


def recorded(organisation):
    with scope(organisation=organisation):
        return list(Payment.objects.all())


def open_amounts(organisation):
    with scope(organisation=organisation):
        return dict(Invoice.objects.values_list("number", "open_amount"))


def start(client, token, amount="140.00"):
    return client.post(f"/portal/{token}/pay/online/", {"amount": amount})


def test_start_sends_the_debtor_to_the_mollie_checkout(client, books, token, mollie):
    response = start(client, token)
    assert response.status_code == 303
    (created,) = mollie.payments.values()
    assert response["Location"] == created["_links"]["checkout"]["href"]
    assert response["Location"].startswith(mollie.base_url)
    assert created["amount"] == {"currency": "EUR", "value": "140.00"}
    assert created["redirectUrl"] == f"{settings.BASE_URL}/portal/{token}/pay/online/return/"
    assert created["webhookUrl"] == f"{settings.BASE_URL}/portal/webhooks/mollie/"
    with scopes_disabled():
        row = OnlinePayment.objects.get()
        assert PortalVisit.objects.filter(action="pay_online:post").count() == 1
    assert (row.provider_id, row.status, row.amount) == (created["id"], "open", Decimal("140.00"))
    assert recorded(books) == []


def test_without_an_amount_the_whole_balance_is_asked(client, books, token, mollie):
    assert client.post(f"/portal/{token}/pay/online/").status_code == 303
    (created,) = mollie.payments.values()
    assert created["amount"]["value"] == "440.50"


@pytest.mark.parametrize("amount", ["0", "440.51", "abc"])
def test_an_amount_the_debtor_does_not_owe_is_refused(client, books, token, mollie, amount):
    response = start(client, token, amount)
    assert response.status_code == 400
    assert "Ce montant ne peut pas être payé en ligne" in page(response)
    assert mollie.requests == []


def test_the_webhook_records_the_paid_amount_once_oldest_first(client, books, token, mollie):
    start(client, token)
    (provider_id,) = mollie.payments
    assert client.post(WEBHOOK, {"id": provider_id}).status_code == 200  # still open: nothing
    assert recorded(books) == []
    mollie.mark(provider_id, "paid", method="creditcard")
    assert client.post(WEBHOOK, {"id": provider_id}).status_code == 200
    assert client.post(WEBHOOK, {"id": provider_id}).status_code == 200  # Mollie delivers again
    (payment,) = recorded(books)
    assert (payment.amount, payment.source, payment.reference) == (
        Decimal("140.00"),
        PaymentSource.PORTAL,
        f"Mollie {provider_id}",
    )
    assert open_amounts(books) == {"P-0": Decimal("0.00"), "P-1": Decimal("0.00"), "P-2": Decimal("300.50")}
    with scopes_disabled():
        assert OnlinePayment.objects.get().payment_id == payment.pk


@pytest.mark.parametrize("status", ["failed", "canceled"])
def test_a_checkout_that_did_not_pay_records_nothing(client, books, token, mollie, status):
    start(client, token)
    (provider_id,) = mollie.payments
    mollie.mark(provider_id, status)
    assert client.post(WEBHOOK, {"id": provider_id}).status_code == 200
    assert recorded(books) == []
    assert open_amounts(books)["P-0"] == Decimal("40.00")
    response = client.get(f"/portal/{token}/pay/online/return/")
    assert response.status_code == 200
    assert "Le paiement n\u2019a pas abouti" in page(response)


def test_the_webhook_knows_only_its_own_ids(client, books, mollie):
    assert client.post(WEBHOOK, {"id": "tr_NotOurs"}).status_code == 404
    assert client.post(WEBHOOK, {"id": "../../v2/refunds"}).status_code == 400
    assert client.post(WEBHOOK, {}).status_code == 400
    assert client.get(WEBHOOK).status_code == 405
    assert mollie.requests == []


def test_the_webhook_asks_mollie_to_retry_when_it_cannot_be_read(client, books, token, mollie):
    start(client, token)
    (provider_id,) = mollie.payments
    mollie.mark(provider_id, "paid")
    mollie.respond(503, "Service Unavailable")
    assert client.post(WEBHOOK, {"id": provider_id}).status_code == 503
    assert recorded(books) == []
    mollie.reset()
    assert client.post(WEBHOOK, {"id": provider_id}).status_code == 200
    assert len(recorded(books)) == 1


def test_the_return_page_asks_mollie_once_when_the_webhook_is_late(client, books, token, mollie):
    start(client, token, "40.00")
    (provider_id,) = mollie.payments
    response = client.get(f"/portal/{token}/pay/online/return/")
    assert "est en cours de confirmation" in page(response)
    mollie.mark(provider_id, "paid")
    mollie.reset()
    response = client.get(f"/portal/{token}/pay/online/return/")
    assert response.status_code == 200
    assert "Votre paiement de 40,00 € est confirmé" in page(response)
    assert [r.path for r in mollie.requests] == [f"/v2/payments/{provider_id}"]
    assert len(recorded(books)) == 1
    mollie.reset()
    client.get(f"/portal/{token}/pay/online/return/")  # paid is final: Mollie is not asked again
    assert mollie.requests == []


def test_without_an_api_key_online_payment_is_off(client, organisation, import_csv):
    assert import_csv(organisation, CSV, today=TODAY).ok
    with scope(organisation=organisation):
        token = portal_token(Debtor.objects.get(ref="411ALPHA"))
    assert not online_payment_enabled(organisation)
    assert start(client, token).status_code == 404
    with scopes_disabled():
        assert not OnlinePayment.objects.exists()


def test_the_button_shows_only_when_online_payment_is_on(books, token):
    context = {"token": token, "amount": Decimal("140.00"), "total": Decimal("440.50")}
    assert "<form" not in render_to_string("portal/_online_button.html", {**context, "online_enabled": False})
    shown = render_to_string("portal/_online_button.html", {**context, "online_enabled": True})
    assert f'action="/portal/{token}/pay/online/"' in shown
    assert 'value="140.00"' in shown
    assert 'max="440.50"' in shown


def test_a_key_mollie_refuses_gives_a_clear_page_and_records_nothing(client, books, token, mollie):
    connect(books, mollie, api_key="test_revoked_key_00000000000000000")
    response = start(client, token)
    assert response.status_code == 502
    text = page(response)
    assert "Le paiement en ligne est indisponible" in text
    assert "Acme Industrie doit vérifier son compte de paiement" in text
    assert "test_revoked_key" not in text
    assert mollie.payments == {}
    with scopes_disabled():
        assert not OnlinePayment.objects.exists()
    assert recorded(books) == []


def test_a_provider_that_does_not_answer_gives_a_retry_page(client, books, token, mollie):
    mollie.close_without_answer()
    response = start(client, token)
    assert response.status_code == 503
    assert "Réessayez dans quelques minutes" in page(response)
    with scopes_disabled():
        assert not OnlinePayment.objects.exists()


def test_a_bad_link_cannot_start_a_payment(client, books, mollie):
    assert start(client, "not-a-token").status_code == 403
    assert mollie.requests == []
