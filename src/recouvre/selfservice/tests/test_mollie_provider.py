"""Mollie's Payments API as the provider speaks it, against a local fake server: the request it
sends (bearer key, amount as a two-decimal string), the checkout it returns, the status it reads back,
and each failure classified as refused (a person must look) or unavailable (try later)."""

import socket
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from recouvre.selfservice.providers.base import ProviderRefused, ProviderUnavailable
from recouvre.selfservice.providers.mollie import MollieProvider, payload
from recouvre.selfservice.providers.registry import provider_config, provider_for
from recouvre.testing.fake_mollie import FakeMollie

pytestmark = pytest.mark.unit


@pytest.fixture
def mollie():
    with FakeMollie() as server:
        yield server


def checkout(provider, amount="123.4"):
    return provider.checkout_create(
        amount=Decimal(amount),
        currency="EUR",
        description="Acme Industrie RF18000000042",
        redirect_url="https://recouvre.example/portal/t/pay/online/return/",
        webhook_url="https://recouvre.example/portal/webhooks/mollie/",
        metadata={"organisation": 1, "debtor": 42},
    )


def test_a_checkout_is_created_with_the_documented_request(mollie):
    provider = MollieProvider(api_key=mollie.api_key, base_url=mollie.base_url)
    made = checkout(provider)
    assert made.provider_id.startswith("tr_")
    assert made.checkout_url == f"{mollie.base_url}/checkout/select-method/{made.provider_id}"
    assert made.status == "open"
    (sent,) = mollie.requests
    assert (sent.method, sent.path) == ("POST", "/v2/payments")
    assert sent.headers["authorization"] == f"Bearer {mollie.api_key}"
    assert sent.json == {
        "amount": {"currency": "EUR", "value": "123.40"},
        "description": "Acme Industrie RF18000000042",
        "redirectUrl": "https://recouvre.example/portal/t/pay/online/return/",
        "webhookUrl": "https://recouvre.example/portal/webhooks/mollie/",
        "metadata": {"organisation": 1, "debtor": 42},
    }


def test_the_status_is_read_back_from_mollie(mollie):
    provider = MollieProvider(api_key=mollie.api_key, base_url=mollie.base_url)
    made = checkout(provider, "50")
    fetched = provider.payment_fetch(made.provider_id)
    assert (fetched.status, fetched.amount, fetched.currency, fetched.paid_at) == (
        "open",
        Decimal("50.00"),
        "EUR",
        None,
    )
    mollie.mark(
        made.provider_id, "paid", method="directdebit", paid_at=datetime(2026, 11, 23, 22, 30, tzinfo=UTC)
    )
    fetched = provider.payment_fetch(made.provider_id)
    assert (fetched.status, fetched.method) == ("paid", "directdebit")
    assert fetched.paid_at == datetime(2026, 11, 23, 22, 30, tzinfo=UTC)
    assert mollie.requests[-1].path == f"/v2/payments/{made.provider_id}"


def test_a_wrong_key_is_refused_as_credentials(mollie):
    provider = MollieProvider(api_key="test_wrong", base_url=mollie.base_url)
    with pytest.raises(ProviderRefused) as caught:
        checkout(provider)
    assert caught.value.credentials
    assert "401" in caught.value.detail
    assert "test_wrong" not in caught.value.detail
    assert mollie.payments == {}


def test_an_unknown_or_malformed_id_is_refused_without_guessing(mollie):
    provider = MollieProvider(api_key=mollie.api_key, base_url=mollie.base_url)
    with pytest.raises(ProviderRefused) as caught:
        provider.payment_fetch("tr_Nobody")
    assert caught.value.status == 404
    with pytest.raises(ProviderRefused):
        provider.payment_fetch("tr_x/../../v2/refunds")
    assert [r.path for r in mollie.requests] == ["/v2/payments/tr_Nobody"]  # the bad one never left


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, ProviderUnavailable),
        (503, ProviderUnavailable),
        (429, ProviderUnavailable),
        (422, ProviderRefused),
        (403, ProviderRefused),
    ],
)
def test_error_answers_are_classified(mollie, status, kind):
    mollie.respond(status, "Some Title", "some detail")
    provider = MollieProvider(api_key=mollie.api_key, base_url=mollie.base_url)
    with pytest.raises(kind) as caught:
        checkout(provider)
    assert caught.value.status == status
    assert "Some Title: some detail" in caught.value.detail


def test_no_connection_and_no_answer_are_unavailable(mollie):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ProviderUnavailable, match="cannot reach"):
        checkout(MollieProvider(api_key="test_x", base_url=f"http://127.0.0.1:{port}", timeout=1))
    mollie.close_without_answer()
    with pytest.raises(ProviderUnavailable, match="no answer"):
        checkout(MollieProvider(api_key=mollie.api_key, base_url=mollie.base_url, read_timeout=2))


def test_the_fake_refuses_what_mollie_refuses(mollie):
    provider = MollieProvider(api_key=mollie.api_key, base_url=mollie.base_url)
    body = payload(
        amount=Decimal("10"),
        currency="EUR",
        description="x",
        redirect_url="https://a.example/",
        webhook_url="https://a.example/w",
    )
    from recouvre.selfservice.providers.mollie import request

    for broken, field in (
        ({**body, "amount": {"currency": "EUR", "value": 10}}, "amount.value"),
        ({**body, "amount": {"currency": "EUR", "value": "10.0"}}, "amount.value"),
        ({**body, "description": ""}, "description"),
        ({**body, "webhookUrl": "not a url"}, "webhookUrl"),
        ({**body, "redirect_url": "https://a.example/"}, "redirect_url"),
    ):
        answer = request(
            provider.base_url,
            "POST",
            "/v2/payments",
            broken,
            api_key=provider.api_key,
            timeout=5,
            read_timeout=5,
        )
        assert (answer.status, answer.json().get("field")) == (422, field)


def test_payload_refuses_a_bad_amount_before_any_call():
    with pytest.raises(ValueError, match="amount"):
        payload(
            amount=Decimal("0"),
            currency="EUR",
            description="x",
            redirect_url="https://a/",
            webhook_url="https://a/",
        )
    with pytest.raises(ValueError, match="currency"):
        payload(
            amount=Decimal("1"),
            currency="euro",
            description="x",
            redirect_url="https://a/",
            webhook_url="https://a/",
        )


def test_the_registry_reads_the_organisation_then_the_environment():
    assert provider_config({}, {}) is None
    assert provider_config({"payments": {"provider": ""}}, {"RECOUVRE_MOLLIE_API_KEY": "test_env"}) is None
    from_env = provider_config({}, {"RECOUVRE_MOLLIE_API_KEY": "test_env"})
    assert from_env is not None
    assert (from_env.api_key, from_env.base_url) == ("test_env", "https://api.mollie.com")
    own = provider_config(
        {"payments": {"provider": "mollie", "api_key": "live_own", "base_url": "http://127.0.0.1:9"}},
        {"RECOUVRE_MOLLIE_API_KEY": "test_env", "RECOUVRE_MOLLIE_BASE_URL": "http://elsewhere"},
    )
    assert own is not None
    assert (own.api_key, own.base_url) == ("live_own", "http://127.0.0.1:9")
    provider = provider_for({"payments": {"api_key": "live_own"}}, {})
    assert provider is not None
    assert provider.name == "mollie"


@pytest.mark.parametrize(
    ("payments", "key"),
    [
        ("mollie", "payments"),
        ({"provider": "stripe", "api_key": "k"}, "payments.provider"),
        ({"api_key": 12}, "payments.api_key"),
        ({"api_key": "k", "base_url": "ftp://x"}, "payments.base_url"),
        ({"api_key": "k", "timeout": 0}, "payments.timeout"),
    ],
)
def test_a_malformed_setting_names_its_key(payments, key):
    with pytest.raises(ValueError, match=key.replace(".", r"\.")) as caught:
        provider_config({"payments": payments}, {})
    assert "'k'" not in str(caught.value)
