"""POST and GET /payments."""

from decimal import Decimal

import pytest
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.ledger.models import Invoice, Payment
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def invoice(org, number):
    with scope(organisation=org):
        return Invoice.objects.get(number=number)


def test_payment_against_an_invoice_reduces_its_open_amount(portfolio, api):
    response = api.post(
        "/payments", {"invoice": "A-2", "amount": "80.00", "date": "2026-11-20", "reference": "VIR 42"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["invoice"], body["open_amount"], body["debtor_ref"]) == ("A-2", "120.00", "411ALPHA")
    assert body["allocations"] == [{"invoice": "A-2", "amount": "80.00", "part": "principal"}]
    assert (body["amount"], body["date"], body["reference"], body["unallocated"]) == (
        "80.00",
        "2026-11-20",
        "VIR 42",
        "0.00",
    )
    assert invoice(portfolio, "A-2").open_amount == Decimal("120.00")
    with scope(organisation=portfolio):
        event = Event.objects.get(kind="payment_recorded")
        assert (event.invoice.number, event.data["amount"], event.actor.email) == (
            "A-2",
            "80.00",
            "manager@acme-industrie.example",
        )
        payment = Payment.objects.get(pk=body["id"])
        assert (payment.amount, payment.reference, payment.source) == (Decimal("80.00"), "VIR 42", "manual")
    # Recorded by the ledger service, with the channel the API sets for the whole request.
    entry = AuditEntry.objects.with_scopes_disabled().get(action="create", object_type="payment")
    assert (entry.object_id, entry.channel, entry.debtor.ref) == (str(body["id"]), "api", "411ALPHA")
    assert entry.actor.email == "manager@acme-industrie.example"


def test_debtor_payment_is_allocated_oldest_due_first(portfolio, api):
    response = api.post("/payments", {"debtor": "411ALPHA", "amount": "350.00", "date": "2026-11-20"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["allocations"] == [
        {"invoice": "A-3", "amount": "300.00", "part": "principal"},
        {"invoice": "A-2", "amount": "50.00", "part": "principal"},
    ]
    assert (body["invoice"], body["open_amount"], body["unallocated"]) == (None, None, "0.00")
    assert invoice(portfolio, "A-3").status == "paid"
    assert invoice(portfolio, "A-2").open_amount == Decimal("150.00")
    assert invoice(portfolio, "A-1").open_amount == Decimal("100.00")


def test_what_no_invoice_absorbs_stays_on_account(portfolio, api):
    body = api.post("/payments", {"debtor": "411ALPHA", "amount": "650.00", "date": "2026-11-20"}).json()
    assert body["unallocated"] == "50.00"
    assert api.get("/debtors/411ALPHA").json()["unallocated_credit"] == "50.00"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"invoice": "A-2", "amount": "12,3,4", "date": "2026-11-20"}, "amount"),
        ({"invoice": "A-2", "amount": "-5.00", "date": "2026-11-20"}, "amount"),
        ({"invoice": "A-2", "amount": "0", "date": "2026-11-20"}, "amount"),
        ({"invoice": "A-2", "amount": "10.005", "date": "2026-11-20"}, "amount"),
        ({"invoice": "A-2", "amount": True, "date": "2026-11-20"}, "amount"),
        ({"invoice": "A-2", "date": "2026-11-20"}, "amount"),
        ({"invoice": "A-2", "amount": "10.00", "date": "20/11/2026"}, "date"),
        ({"invoice": "A-2", "amount": "10.00"}, "date"),
        ({"invoice": "A-2", "debtor": "411ALPHA", "amount": "10.00", "date": "2026-11-20"}, "debtor"),
        ({"amount": "10.00", "date": "2026-11-20"}, "invoice"),
        ({"invoice": "NOPE", "amount": "10.00", "date": "2026-11-20"}, "invoice"),
        ({"debtor": "411NOPE", "amount": "10.00", "date": "2026-11-20"}, "debtor"),
    ],
)
def test_refused_input_is_422_naming_the_field(portfolio, api, payload, field):
    response = api.post("/payments", payload)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert field in body["detail"]
    with scope(organisation=portfolio):
        assert not Payment.objects.filter(source="manual").exists()


def test_an_invoice_with_nothing_left_to_pay_is_refused(portfolio, api):
    assert (
        api.post("/payments", {"invoice": "B-2", "amount": "50.00", "date": "2026-11-20"}).status_code == 201
    )
    response = api.post("/payments", {"invoice": "B-2", "amount": "1.00", "date": "2026-11-21"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "invoice", "message": "invoice B-2 has nothing left to pay"}
    ]


def test_amounts_accept_french_typing_and_json_numbers(portfolio, api):
    assert (
        api.post("/payments", {"invoice": "A-1", "amount": "1 0,50", "date": "2026-11-20"}).status_code == 422
    )
    first = api.post("/payments", {"invoice": "A-1", "amount": "10,50", "date": "2026-11-20"}).json()
    assert first["open_amount"] == "89.50"
    second = api.post("/payments", {"invoice": "A-1", "amount": 0.1, "date": "2026-11-20"}).json()
    assert second["open_amount"] == "89.40"


def test_list_is_newest_first_and_filtered(portfolio, api):
    api.post("/payments", {"invoice": "A-2", "amount": "10.00", "date": "2026-11-01"})
    api.post("/payments", {"invoice": "B-1", "amount": "20.00", "date": "2026-11-15", "reference": "CHQ 7"})
    body = api.get("/payments").json()
    assert body["count"] == 2
    assert [(p["debtor_ref"], p["amount"], p["date"]) for p in body["items"]] == [
        ("411BETA", "20.00", "2026-11-15"),
        ("411ALPHA", "10.00", "2026-11-01"),
    ]
    assert body["items"][0]["allocations"] == [{"invoice": "B-1", "amount": "20.00", "part": "principal"}]
    assert [p["reference"] for p in api.get("/payments", debtor="411BETA").json()["items"]] == ["CHQ 7"]
    assert api.get("/payments", invoice="A-2").json()["count"] == 1
    assert api.get("/payments", debtor="411GAMMA").json()["count"] == 0


def test_with_interest_first_the_payment_settles_the_late_interest_before_the_principal(portfolio, api):
    portfolio.settings = {**portfolio.settings, "law": {"interest_first": True}}
    portfolio.save(update_fields=["settings"])
    response = api.post("/payments", {"invoice": "A-3", "amount": "100.00", "date": "2026-11-20"})
    assert response.status_code == 201, response.content
    body = response.json()
    # A-3, 300.00 due 2026-09-15: 66 days (2026-09-16 to 2026-11-20) at 12.15 % (ECB 2.15 + 10,
    # H2-2026) = 300 x 0.1215 x 66 / 365 = 6.5910 → 6.59 of interest, then 93.41 of principal.
    assert body["allocations"] == [
        {"invoice": "A-3", "amount": "6.59", "part": "interest"},
        {"invoice": "A-3", "amount": "93.41", "part": "principal"},
    ]
    assert (body["open_amount"], body["unallocated"]) == ("206.59", "0.00")
    assert invoice(portfolio, "A-3").open_amount == Decimal("206.59")
    with scope(organisation=portfolio):
        event = Event.objects.get(kind="payment_recorded")
    assert [a["part"] for a in event.data["allocations"]] == ["interest", "principal"]
