"""Proposing and signing a payment plan on the portal, the signature confirmed by a one-time code sent
to an address the creditor already knew."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django_scopes import scope

from recouvre.arrangements.models import PaymentPlan
from recouvre.ledger.models import Debtor, LimitationInterruption
from recouvre.selfservice.domain.links import portal_token

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2026, 11, 23)
CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;debtor_email;issue_date;due_date;amount\n"
    "Q-1;411ALPHA;Alpha SARL;B2B;compta@alpha.example;2026-09-01;2026-10-01;1000.00\n"
)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, settings, tmp_path):
    monkeypatch.setattr("recouvre.portal.access.paris_today", lambda: TODAY)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DATA_DIR = tmp_path
    cache.clear()


@pytest.fixture
def alpha(organisation, import_csv):
    assert import_csv(organisation, CSV, today=TODAY).ok
    with scope(organisation=organisation):
        return Debtor.objects.get(ref="411ALPHA")


def text(response):
    return html.unescape(response.content.decode())


def test_a_plan_within_the_rules_is_signed_with_a_code(client, organisation, alpha):
    token = portal_token(alpha)
    preview = client.get(
        f"/portal/{token}/plan/", {"count": "3", "frequency": "monthly", "first_date": "2026-12-01"}
    )
    assert "333,33" in text(preview).replace("\u202f", " ").replace("\u00a0", " ")
    response = client.post(
        f"/portal/{token}/plan/", {"count": "3", "frequency": "monthly", "first_date": "2026-12-01"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/plan/sign/")

    # A code to an address the creditor does not know is refused; to the known one, it leaves.
    assert (
        client.post(f"/portal/{token}/plan/sign/", {"step": "send", "to": "pirate@evil.example"}).status_code
        == 400
    )
    assert (
        client.post(f"/portal/{token}/plan/sign/", {"step": "send", "to": "compta@alpha.example"}).status_code
        == 200
    )
    [message] = mail.outbox
    assert message.to == ["compta@alpha.example"]
    code = re.search(r"\b(\d{6})\b", message.body).group(1)

    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(
        f"/portal/{token}/plan/sign/", {"step": "sign", "name": "Jean Alpha", "code": wrong}
    )
    assert refused.status_code == 400
    assert "pas le bon" in text(refused)
    signed = client.post(
        f"/portal/{token}/plan/sign/", {"step": "sign", "name": "Jean Alpha, gérant", "code": code}
    )
    assert signed.status_code == 302
    with scope(organisation=organisation):
        plan = PaymentPlan.objects.get(debtor=alpha)
        assert LimitationInterruption.objects.filter(kind="payment_plan", invoice__number="Q-1").exists()
        amounts = [i.amount for i in plan.instalments.order_by("number")]
    assert plan.status == "active"
    assert plan.signature_text.startswith("Jean Alpha, gérant")
    assert amounts == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    # The code is used up.
    again = client.post(f"/portal/{token}/plan/sign/", {"step": "sign", "name": "X", "code": code})
    assert again.status_code == 200  # the plan is active: nothing to sign any more
    pdf = client.get(f"/portal/{token}/plan/pdf/")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_plan_outside_the_rules_waits_for_a_manager(client, organisation, alpha):
    token = portal_token(alpha)
    response = client.post(
        f"/portal/{token}/plan/", {"count": "12", "frequency": "monthly", "first_date": "2026-12-01"}
    )
    assert response.status_code == 302
    assert "plan-proposed" in response["Location"]
    with scope(organisation=organisation):
        plan = PaymentPlan.objects.get(debtor=alpha)
    assert plan.status == "awaiting_approval"
    # Nothing to sign until a manager accepts it.
    page = client.get(f"/portal/{token}/plan/sign/")
    assert "Envoyer le code" not in text(page)


def test_the_code_may_go_by_sms_to_a_known_mobile(client, organisation, alpha, fake_brevo):
    from recouvre.ledger.domain.contacts import contact_add

    organisation.settings = {
        "sms": {
            "provider": "brevo",
            "api_key": fake_brevo.api_key,
            "sender": "ACME",
            "base_url": fake_brevo.base_url,
        }
    }
    organisation.save()
    with scope(organisation=organisation):
        contact_add(
            organisation=organisation, debtor=alpha, kind="phone", value="06 12 34 56 78", name="", actor=None
        )
    token = portal_token(alpha)
    client.post(f"/portal/{token}/plan/", {"count": "3", "frequency": "monthly", "first_date": "2026-12-01"})
    page = text(client.get(f"/portal/{token}/plan/sign/"))
    assert "+336••••••78" in page  # the number is shown masked
    assert (
        client.post(f"/portal/{token}/plan/sign/", {"step": "send", "to": "+33612345678"}).status_code == 200
    )
    [request] = fake_brevo.requests
    assert request.json["recipient"] in ("+33612345678", "33612345678")
    code = re.search(r"\b(\d{6})\b", request.json["content"]).group(1)
    signed = client.post(f"/portal/{token}/plan/sign/", {"step": "sign", "name": "Jean Alpha", "code": code})
    assert signed.status_code == 302
    assert mail.outbox == []  # nothing by e-mail


def test_a_new_iban_is_kept_only_once_the_code_confirms_it(client, organisation, alpha):
    token = portal_token(alpha)
    bad = client.post(
        f"/portal/{token}/bank/", {"step": "send", "iban": "FR76 0000", "to": "compta@alpha.example"}
    )
    assert bad.status_code == 400
    assert "IBAN n'est pas valable" in text(bad)
    unknown = client.post(
        f"/portal/{token}/bank/", {"step": "send", "iban": "DE89370400440532013000", "to": "x@evil.example"}
    )
    assert unknown.status_code == 400
    sent = client.post(
        f"/portal/{token}/bank/",
        {"step": "send", "iban": "DE89 3704 0044 0532 0130 00", "to": "compta@alpha.example"},
    )
    assert sent.status_code == 200
    alpha.refresh_from_db()
    assert alpha.iban == ""  # nothing stored before the code
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    assert client.post(f"/portal/{token}/bank/", {"step": "confirm", "code": wrong}).status_code == 400
    alpha.refresh_from_db()
    assert alpha.iban == ""
    assert client.post(f"/portal/{token}/bank/", {"step": "confirm", "code": code}).status_code == 302
    alpha.refresh_from_db()
    assert alpha.iban == "DE89370400440532013000"
