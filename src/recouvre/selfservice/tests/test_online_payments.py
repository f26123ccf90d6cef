"""Online payment through the organisation's provider (a fake Mollie): the checkout is created only
for an amount the debtor owes; the ledger payment is recorded when Mollie says `paid`, on the Paris
day it was paid, oldest invoices first, and exactly once however often (or however concurrently) the
webhook asks to look again; a failed or canceled checkout records nothing."""

import threading
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from recouvre.ledger.enums import PaymentSource
from recouvre.ledger.models import Debtor, Invoice, Payment
from recouvre.selfservice.domain import online_payments
from recouvre.selfservice.domain.online_payments import (
    OnlinePaymentError,
    OnlinePaymentUnknown,
    online_payment_enabled,
    online_payment_refresh,
    online_payment_start,
)
from recouvre.selfservice.models import OnlinePayment
from recouvre.selfservice.providers.base import ProviderRefused
from recouvre.testing.fake_mollie import FakeMollie
from recouvre.timeline.enums import EventKind
from recouvre.timeline.models import Event

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 23)
CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;amount\n"
    "P-1;411ALPHA;Alpha SARL;B2B;2026-09-01;2026-10-01;100.00\n"
    "P-2;411ALPHA;;;2026-10-15;2026-12-15;300.50\n"
    "P-0;411ALPHA;;;2026-08-01;2026-09-01;40.00\n"
)
RETURN = "https://recouvre.example/portal/t/pay/online/return/"
WEBHOOK = "https://recouvre.example/portal/webhooks/mollie/"


@pytest.fixture
def mollie():
    with FakeMollie() as server:
        yield server


@pytest.fixture(autouse=True)
def no_project_key(monkeypatch):
    monkeypatch.delenv("RECOUVRE_MOLLIE_API_KEY", raising=False)
    monkeypatch.delenv("RECOUVRE_MOLLIE_BASE_URL", raising=False)


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


def alpha(organisation):
    with scope(organisation=organisation):
        return Debtor.objects.get(ref="411ALPHA")


def start(organisation, amount):
    with scope(organisation=organisation):
        return online_payment_start(
            organisation=organisation,
            debtor=alpha(organisation),
            amount=Decimal(amount),
            redirect_url=RETURN,
            webhook_url=WEBHOOK,
        )


def payments(organisation):
    with scope(organisation=organisation):
        return list(Payment.objects.all())


def open_amounts(organisation):
    with scope(organisation=organisation):
        return dict(Invoice.objects.values_list("number", "open_amount"))


@pytest.mark.django_db
def test_a_checkout_is_created_at_mollie_then_stored(books, mollie):
    row = start(books, "140.00")
    (created,) = mollie.payments.values()
    assert row.provider_id == created["id"]
    assert row.checkout_url == created["_links"]["checkout"]["href"]
    assert (row.provider, row.amount, row.currency, row.status) == (
        "mollie",
        Decimal("140.00"),
        "EUR",
        "open",
    )
    assert created["amount"] == {"currency": "EUR", "value": "140.00"}
    assert created["description"].startswith("Acme Industrie RF")
    assert (created["redirectUrl"], created["webhookUrl"]) == (RETURN, WEBHOOK)
    assert payments(books) == []


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0", "-5", "440.51", "10.001"])
def test_an_amount_outside_what_is_owed_is_refused_before_mollie(books, mollie, amount):
    with pytest.raises(OnlinePaymentError):
        start(books, amount)
    assert mollie.requests == []
    with scopes_disabled():
        assert not OnlinePayment.objects.exists()


@pytest.mark.django_db
def test_paid_records_one_payment_oldest_first_on_the_paris_day(books, mollie):
    row = start(books, "140.00")
    # 23:30 UTC on the 23rd is already the 24th in Paris.
    mollie.mark(
        row.provider_id, "paid", method="creditcard", paid_at=datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    )
    refreshed = online_payment_refresh(provider_id=row.provider_id)
    assert (refreshed.status, refreshed.method) == ("paid", "creditcard")
    (payment,) = payments(books)
    assert refreshed.payment_id == payment.pk
    assert (payment.amount, payment.date, payment.source, payment.reference, payment.created_by_id) == (
        Decimal("140.00"),
        date(2026, 11, 24),
        PaymentSource.PORTAL,
        f"Mollie {row.provider_id}",
        None,
    )
    assert open_amounts(books) == {"P-0": Decimal("0.00"), "P-1": Decimal("0.00"), "P-2": Decimal("300.50")}
    with scope(organisation=books):
        assert Event.objects.filter(kind=EventKind.PAYMENT_RECORDED).count() == 1


@pytest.mark.django_db
def test_a_webhook_delivered_twice_records_once(books, mollie):
    row = start(books, "50.00")
    online_payment_refresh(provider_id=row.provider_id)  # still open: nothing
    assert payments(books) == []
    mollie.mark(row.provider_id, "paid")
    online_payment_refresh(provider_id=row.provider_id)
    again = online_payment_refresh(provider_id=row.provider_id)
    (payment,) = payments(books)
    assert again.payment_id == payment.pk
    assert open_amounts(books)["P-0"] == Decimal("0.00")
    assert open_amounts(books)["P-1"] == Decimal("90.00")


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["failed", "canceled", "expired"])
def test_a_checkout_that_did_not_pay_records_nothing(books, mollie, status):
    row = start(books, "50.00")
    mollie.mark(row.provider_id, status)
    assert online_payment_refresh(provider_id=row.provider_id).status == status
    assert payments(books) == []
    assert open_amounts(books)["P-0"] == Decimal("40.00")


@pytest.mark.django_db
def test_an_id_that_is_not_ours_is_unknown(books, mollie):
    with pytest.raises(OnlinePaymentUnknown):
        online_payment_refresh(provider_id="tr_NotOurs")
    assert mollie.requests == []


@pytest.mark.django_db
def test_a_wrong_key_stores_nothing(books, mollie):
    connect(books, mollie, api_key="test_wrong_key_000000000000000000")
    with pytest.raises(ProviderRefused) as caught:
        start(books, "50.00")
    assert caught.value.credentials
    with scopes_disabled():
        assert not OnlinePayment.objects.exists()
    assert payments(books) == []


@pytest.mark.django_db
def test_without_a_key_online_payment_is_off(organisation, monkeypatch, mollie):
    assert not online_payment_enabled(organisation)
    monkeypatch.setenv("RECOUVRE_MOLLIE_API_KEY", "test_from_env")
    assert online_payment_enabled(organisation)
    organisation.settings = {"payments": {"provider": ""}}
    assert not online_payment_enabled(organisation)
    organisation.settings = {"payments": {"provider": "paypal"}}
    assert not online_payment_enabled(organisation)  # malformed: off, not a broken page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_concurrent_webhooks_record_once(books, mollie, monkeypatch):
    row = start(books, "140.00")
    mollie.mark(row.provider_id, "paid")
    real = online_payments.payment_record

    def slow_record(**kwargs):
        time.sleep(0.3)  # the others reach the conditional UPDATE meanwhile and wait on the row
        return real(**kwargs)

    monkeypatch.setattr(online_payments, "payment_record", slow_record)
    errors = []

    def webhook():
        try:
            online_payment_refresh(provider_id=row.provider_id)
        except Exception as exc:  # reported below, a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=webhook) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    (payment,) = payments(books)
    assert payment.amount == Decimal("140.00")
    with scopes_disabled():
        assert OnlinePayment.objects.get().payment_id == payment.pk
